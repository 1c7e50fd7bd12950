// RenderDialogGraph: a dialog as a Mermaid stateDiagram-v2 or a Graphviz digraph, from one list
// of edges so both formats always show the same machine.
#include <fmt/format.h>

#include <string>
#include <vector>

#include "bot/dialog_loader.h"

namespace bot {

namespace {

// "" as `from` is the initial pseudo-state; "" as `to` the final one (the conversation ends);
// kAnyState as `from` stands for every live state (a change request, "quiero cambiar el monto").
constexpr const char* kAnyState = "*";

struct Edge {
  std::string from;
  std::string to;
  std::string label;
  bool exhausted = false;  // drawn dashed: the way out after too many failed answers
};

std::string Join(const std::vector<Action>& actions) {
  std::string out;
  for (const Action& a : actions) {
    if (!out.empty()) out += ", ";
    out += a.arg.empty() ? a.name : a.name + " " + a.arg;
    for (const auto& [name, value] : a.fields) out += " " + name + "=" + value;
  }
  return out;
}

std::vector<Edge> Edges(const Dialog& dialog) {
  std::vector<Edge> edges;
  const bool two_starts = !dialog.inbound_start.empty() && dialog.inbound_start != dialog.start;
  edges.push_back({"", dialog.start, two_starts ? "bot writes first" : ""});
  if (two_starts) edges.push_back({"", dialog.inbound_start, "user writes first"});
  for (const State& state : dialog.states) {
    bool conditional_before = false;
    for (const Transition& t : state.transitions) {
      std::string label =
          t.when.always() ? (conditional_before ? "otherwise" : "") : t.when.source();
      conditional_before = conditional_before || !t.when.always();
      if (!t.actions.empty()) label += (label.empty() ? "/ " : " / ") + Join(t.actions);
      edges.push_back({state.name, t.to, label});
    }
    if (!state.ask.empty() && state.max_attempts > 0) {
      std::string label = std::to_string(state.max_attempts) + " failed attempts";
      if (state.on_exhausted.empty()) label += " / closing";
      edges.push_back({state.name, state.on_exhausted, label, true});
    }
    if (state.end) edges.push_back({state.name, "", ""});
  }
  for (const ChangeRequest& change : dialog.changes) {
    std::string label = fmt::format("change {}", fmt::join(change.words, "|"));
    if (!change.clear.empty()) label += fmt::format(" / clear {}", fmt::join(change.clear, ", "));
    edges.push_back({kAnyState, change.to, label});
  }
  return edges;
}

std::string StateNote(const State& state) {
  std::string note;
  if (!state.say.empty()) note = "says " + state.say;
  if (!state.ask.empty()) note += (note.empty() ? "asks " : ", asks ") + state.ask;
  if (state.end) note += note.empty() ? "end" : " (end)";
  return note;
}

// Mermaid reads a label to the end of the line; keep it on one line.
std::string MermaidText(std::string text) {
  for (char& c : text) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return text;
}

std::string Mermaid(const Dialog& dialog) {
  std::string out = "stateDiagram-v2\n";
  for (const State& state : dialog.states) {
    std::string note = StateNote(state);
    if (!note.empty()) out += "    " + state.name + " : " + MermaidText(note) + "\n";
  }
  if (!dialog.changes.empty()) out += "    state \"any live state\" as any_live_state\n";
  for (const Edge& e : Edges(dialog)) {
    const std::string from = e.from.empty()         ? "[*]"
                             : e.from == kAnyState ? "any_live_state"
                                                   : e.from;
    out += "    " + from + " --> " + (e.to.empty() ? "[*]" : e.to);
    // Mermaid state diagrams cannot dash an edge, so the exhausted ones say so in the label.
    std::string label = e.exhausted ? "⚠ " + e.label : e.label;
    if (!label.empty()) out += " : " + MermaidText(label);
    out += "\n";
  }
  std::string ends;
  for (const State& state : dialog.states) {
    if (state.end) ends += (ends.empty() ? "" : ",") + state.name;
  }
  if (!ends.empty()) {
    out += "    classDef endState font-weight:bold,stroke-width:3px\n";
    out += "    class " + ends + " endState\n";
  }
  return out;
}

std::string DotQuote(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out + "\"";
}

std::string Dot(const Dialog& dialog) {
  std::string out = "digraph " + DotQuote(dialog.id) + " {\n";
  out += "  rankdir=LR;\n";
  out += "  node [shape=box, style=rounded, fontname=\"Helvetica\"];\n";
  out += "  edge [fontname=\"Helvetica\", fontsize=10];\n";
  out += "  \"[start]\" [shape=point, width=0.2, label=\"\"];\n";
  out +=
      "  \"[end]\" [shape=doublecircle, width=0.15, label=\"\", style=filled, fillcolor=black];\n";
  for (const State& state : dialog.states) {
    std::string note = StateNote(state);
    out += "  " + DotQuote(state.name) +
           " [label=" + DotQuote(note.empty() ? state.name : state.name + "\n" + note);
    if (state.end) out += ", peripheries=2";
    out += "];\n";
  }
  if (!dialog.changes.empty()) {
    out += "  \"[any live state]\" [shape=plaintext];\n";
  }
  for (const Edge& e : Edges(dialog)) {
    const std::string from = e.from.empty()         ? "[start]"
                             : e.from == kAnyState ? "[any live state]"
                                                   : e.from;
    out += "  " + DotQuote(from) + " -> " + DotQuote(e.to.empty() ? "[end]" : e.to);
    std::vector<std::string> attrs;
    if (!e.label.empty()) attrs.push_back("label=" + DotQuote(e.label));
    if (e.exhausted) attrs.push_back("style=dashed");
    if (e.from == kAnyState) attrs.push_back("style=dotted");
    for (size_t i = 0; i < attrs.size(); ++i) out += (i == 0 ? " [" : ", ") + attrs[i];
    out += attrs.empty() ? ";\n" : "];\n";
  }
  return out + "}\n";
}

}  // namespace

Result<std::string> RenderDialogGraph(const Dialog& dialog, const std::string& format) {
  if (format == "mermaid") return Mermaid(dialog);
  if (format == "dot") return Dot(dialog);
  return InvalidArgument("unknown graph format '" + format + "' (use mermaid or dot)");
}

}  // namespace bot
