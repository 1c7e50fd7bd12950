#include "replay/transcript_expand.h"

#include <algorithm>

namespace bot::replay {
namespace {

// Does the block do anything once its includes are taken out? Botium drops a step that only
// held an INCLUDE.
bool HasContent(const Block& block) {
  switch (block.kind) {
    case Block::Kind::kMe:
      return block.me.sends() || block.me.wait.count() > 0 || block.me.pause.count() > 0;
    case Block::Kind::kBot:
      return block.bot.consumes_reply() || !block.bot.checks.empty() || block.bot.pause.count() > 0;
    case Block::Kind::kEnd:
      return !block.bot.checks.empty();
    case Block::Kind::kInclude:
      return false;
  }
  return false;
}

// Botium's name for the variant `index` of `count`: "NAME-L2", "NAME-L02" past nine.
std::string VariantLabel(const std::string& name, size_t index, size_t count) {
  std::string number = std::to_string(index + 1);
  number.insert(0, std::to_string(count).size() - number.size(), '0');
  return name + "-L" + number;
}

class Expander {
 public:
  Expander(const ScriptLibrary& library, const std::string& file)
      : library_(library), file_(file) {}

  // Appends `blocks` to `out` with every partial convo they include spliced in. `chain` is
  // the partial convos being spliced, outermost first.
  Status Splice(const std::vector<Block>& blocks, std::vector<std::string>& chain,
                std::vector<Block>* out) const {
    for (const Block& block : blocks) {
      if (HasContent(block)) {
        out->push_back(block);
        out->back().includes.clear();
      }
      for (const IncludeRef& ref : block.includes) {
        if (std::find(chain.begin(), chain.end(), ref.name) != chain.end()) {
          std::string path;
          for (const std::string& name : chain) path += name + " -> ";
          return Error(block, ref.line,
                       "partial convo '" + ref.name + "' includes itself: " + path + ref.name);
        }
        auto partial = library_.partials.find(ref.name);
        if (partial == library_.partials.end()) {
          return Error(block, ref.line,
                       "no partial convo named '" + ref.name +
                           "' (the first line of a .pconvo.txt beside the "
                           "transcript)");
        }
        chain.push_back(ref.name);
        Status s = Splice(partial->second.blocks, chain, out);
        chain.pop_back();
        if (!s.ok()) return s;
      }
    }
    return Status::Ok();
  }

  // The utterance a block's text names, or nullptr. Botium formats "NAME arg..." with the
  // arguments (util.format): an error here rather than the text sent or compared as it is.
  Result<const Utterance*> Named(const Block& block, const std::vector<std::string>& lines,
                                 int line) const {
    const Utterance* none = nullptr;
    if (lines.size() != 1) return none;
    const std::string& text = lines[0];
    if (auto it = library_.utterances.find(text); it != library_.utterances.end()) {
      return &it->second;
    }
    std::string first = text.substr(0, text.find(' '));
    if (first != text && library_.utterances.count(first) > 0) {
      return Error(block, line,
                   "utterance '" + first + "' with arguments ('" + text +
                       "') is not supported: write the text, or a variant");
    }
    return none;
  }

  Status Error(const Block& block, int line, const std::string& what) const {
    const std::string& file = block.file.empty() ? file_ : block.file;
    return InvalidArgument(file + ":" + std::to_string(line) + ": " + what);
  }

 private:
  const ScriptLibrary& library_;
  const std::string& file_;
};

}  // namespace

Result<std::vector<TranscriptRun>> ExpandTranscript(const Transcript& transcript,
                                                    const ScriptLibrary& library,
                                                    const std::string& file) {
  Expander expander(library, file);
  Transcript spliced = transcript;
  spliced.blocks.clear();
  std::vector<std::string> chain;
  if (Status s = expander.Splice(transcript.blocks, chain, &spliced.blocks); !s.ok()) return s;

  // The #me blocks that send an utterance, and how many runs their variants make.
  std::vector<std::pair<size_t, const Utterance*>> sent;
  size_t runs = 1;
  for (size_t i = 0; i < spliced.blocks.size(); ++i) {
    Block& block = spliced.blocks[i];
    bool me = block.kind == Block::Kind::kMe;
    if (!me && block.kind != Block::Kind::kBot) continue;
    Result<const Utterance*> named =
        me ? expander.Named(block, block.me.text_lines, block.line)
           : expander.Named(block, block.bot.text_lines, block.bot.text_line);
    if (!named.ok()) return named.status();
    if (*named == nullptr) continue;
    if (!me) {
      block.bot.variants = (*named)->variants;
      continue;
    }
    sent.emplace_back(i, *named);
    runs *= (*named)->variants.size();
    if (runs > kMaxRuns) {
      return expander.Error(block, block.line,
                            "the utterances sent so far make more than " +
                                std::to_string(kMaxRuns) +
                                " runs (one per combination of their variants)");
    }
    if (runs > 1 && !transcript.cassette.empty()) {
      return expander.Error(block, block.line,
                            "utterance '" + (*named)->name + "' makes several runs, but a " +
                                "transcript with a CASSETTE runs once (line " +
                                std::to_string(transcript.cassette_line) + ")");
    }
  }

  std::vector<TranscriptRun> out;
  for (size_t run = 0; run < runs; ++run) {
    TranscriptRun r;
    r.transcript = spliced;
    size_t rest = run;  // a number whose digits are the variants, the last #me's lowest
    std::vector<size_t> choice(sent.size());
    for (size_t k = sent.size(); k-- > 0;) {
      choice[k] = rest % sent[k].second->variants.size();
      rest /= sent[k].second->variants.size();
    }
    for (size_t k = 0; k < sent.size(); ++k) {
      const Utterance& utterance = *sent[k].second;
      r.transcript.blocks[sent[k].first].me.text_lines = {utterance.variants[choice[k]]};
      if (utterance.variants.size() == 1) continue;
      if (!r.label.empty()) r.label += '/';
      r.label += VariantLabel(utterance.name, choice[k], utterance.variants.size());
    }
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace bot::replay
