// Local OCR with Tesseract: nothing leaves the machine, for deployments that must not send ID
// photos to a cloud. Named fields come from regular expressions over the recognised text.
// Built as bot::ocr (libbot_ocr), apart from bot::bot, so that only its users need Tesseract.
#include "bot/tesseract_ocr.h"

#include <leptonica/allheaders.h>
#include <tesseract/baseapi.h>
#include <tesseract/resultiterator.h>

#include <memory>
#include <mutex>
#include <regex>

#include "bot/providers.h"
#include "providers/call.h"

namespace bot {
namespace providers {
namespace {

struct Word {
  std::string text;
  double confidence;  // 0..1
};

std::string Trim(std::string s) {
  size_t begin = s.find_first_not_of(" \t\r\n");
  size_t end = s.find_last_not_of(" \t\r\n");
  return begin == std::string::npos ? "" : s.substr(begin, end - begin + 1);
}

// Mean confidence of the recognised words that make up `value`; 0 when none match.
double SpanConfidence(const std::string& value, const std::vector<Word>& words) {
  double sum = 0;
  int n = 0;
  size_t pos = 0;
  while (pos < value.size()) {
    size_t start = value.find_first_not_of(' ', pos);
    if (start == std::string::npos) break;
    size_t end = value.find(' ', start);
    std::string token = value.substr(start, end == std::string::npos ? end : end - start);
    for (const Word& w : words) {
      if (w.text.find(token) != std::string::npos) {
        sum += w.confidence;
        ++n;
        break;
      }
    }
    pos = end == std::string::npos ? value.size() : end;
  }
  return n == 0 ? 0 : sum / n;
}

FieldValue FindField(const SchemaField& f, const std::string& text,
                     const std::vector<Word>& words) {
  FieldValue out;
  out.type = f.type;
  out.is_null = true;
  out.confidence = 0;
  if (f.pattern.empty()) return out;
  std::smatch match;
  std::regex re(f.pattern, std::regex::ECMAScript);
  if (!std::regex_search(text, match, re)) return out;
  std::string value = Trim(match.size() > 1 ? match[1].str() : match[0].str());
  if (f.type == SchemaField::Type::kInteger || f.type == SchemaField::Type::kNumber) {
    try {
      out.number = std::stod(value);
    } catch (...) {
      return out;
    }
  }
  out.is_null = false;
  out.text = value;
  out.confidence = SpanConfidence(value, words);
  return out;
}

class TesseractOcrProvider final : public OcrProvider {
 public:
  TesseractOcrProvider(TesseractConfig config, ProviderContext context)
      : config_(std::move(config)), context_(std::move(context)) {
    if (context_.clock == nullptr) context_.clock = &system_clock_;
  }
  ~TesseractOcrProvider() override { api_.End(); }

  Status Init() {
    const char* datapath = config_.datapath.empty() ? nullptr : config_.datapath.c_str();
    if (api_.Init(datapath, config_.language.c_str()) != 0) {
      return InvalidArgument("tesseract cannot load language '" + config_.language + "'");
    }
    return Status::Ok();
  }

  Result<OcrReply> Read(const OcrRequest& request) override {
    Call call(context_, "tesseract", "tesseract-" + config_.language, request.purpose,
              request.conversation);
    for (const SchemaField& f : request.schema.fields) {
      try {
        std::regex check(f.pattern, std::regex::ECMAScript);
      } catch (const std::regex_error&) {
        return InvalidArgument("field '" + f.name + "' has a bad pattern: " + f.pattern);
      }
    }
    Pix* pix =
        pixReadMem(reinterpret_cast<const l_uint8*>(request.image.data()), request.image.size());
    if (pix == nullptr) {
      Status bad =
          InvalidArgument("tesseract cannot decode the image (" + request.content_type + ")");
      call.Finish(bad, 0, 0);
      return bad;
    }
    OcrReply reply;
    reply.model = "tesseract-" + config_.language;
    std::vector<Word> words;
    {
      std::lock_guard<std::mutex> lock(mu_);  // one TessBaseAPI: not reentrant
      api_.SetImage(pix);
      if (api_.Recognize(nullptr) != 0) {
        pixDestroy(&pix);
        Status failed = Internal("tesseract could not recognise the image");
        call.Finish(failed, 0, 0);
        return failed;
      }
      std::unique_ptr<char[]> text(api_.GetUTF8Text());
      reply.text = text ? Trim(text.get()) : "";
      reply.confidence = api_.MeanTextConf() / 100.0;
      std::unique_ptr<tesseract::ResultIterator> it(api_.GetIterator());
      if (it) {
        do {
          std::unique_ptr<char[]> word(it->GetUTF8Text(tesseract::RIL_WORD));
          if (word) words.push_back({word.get(), it->Confidence(tesseract::RIL_WORD) / 100.0});
        } while (it->Next(tesseract::RIL_WORD));
      }
      api_.Clear();
    }
    pixDestroy(&pix);
    for (const SchemaField& f : request.schema.fields) {
      reply.fields[f.name] = FindField(f, reply.text, words);
    }
    call.Finish(Status::Ok(), 0, 0);
    return reply;
  }

 private:
  const TesseractConfig config_;
  SystemClock system_clock_;
  ProviderContext context_;
  std::mutex mu_;
  tesseract::TessBaseAPI api_;  // Guarded by mu_
};

}  // namespace
}  // namespace providers

Result<std::unique_ptr<OcrProvider>> NewTesseractOcrProvider(TesseractConfig config,
                                                             ProviderContext context) {
  auto provider =
      std::make_unique<providers::TesseractOcrProvider>(std::move(config), std::move(context));
  if (Status s = provider->Init(); !s.ok()) return s;
  return std::unique_ptr<OcrProvider>(std::move(provider));
}

}  // namespace bot
