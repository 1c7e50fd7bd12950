// The condition language: a hand-written recursive-descent parser and a tree evaluator.
//
//   expr    := and { ("or" | "||") and }
//   and     := unary { ("and" | "&&") unary }
//   unary   := ("not" | "!") unary | compare
//   compare := operand [ ("==" | "!=" | "<" | "<=" | ">" | ">=") operand ]
//   operand := "(" expr ")" | "set" "(" ident ")" | number | 'text' | "text" | true | false | ident
//
// Numbers are kept as an exact decimal (mantissa, scale) so that money, which is an integer
// number of centavos, compares exactly with a literal like 1000.50 pesos.
#include <algorithm>
#include <string>
#include <utility>

#include "bot/dialog.h"

namespace bot {

namespace {

// A decimal number: mantissa / 10^scale. __int128 keeps the rescaling below free of overflow.
struct Decimal {
  __int128 mantissa = 0;
  int scale = 0;
};

int CompareDecimals(Decimal a, Decimal b) {
  while (a.scale < b.scale) {
    a.mantissa *= 10;
    ++a.scale;
  }
  while (b.scale < a.scale) {
    b.mantissa *= 10;
    ++b.scale;
  }
  return a.mantissa < b.mantissa ? -1 : (a.mantissa > b.mantissa ? 1 : 0);
}

enum class Op { kEq, kNe, kLt, kLe, kGt, kGe };

}  // namespace

struct Condition::Node {
  enum class Kind { kOr, kAnd, kNot, kCompare, kSet, kSlot, kNumber, kText, kBool };
  Kind kind = Kind::kBool;
  std::shared_ptr<const Node> left, right;  // kOr, kAnd, kCompare; kNot uses left
  Op op = Op::kEq;                          // kCompare
  std::string name;                         // kSet, kSlot
  Decimal number;                           // kNumber
  std::string text;                         // kText
  bool boolean = false;                     // kBool
};

namespace {

using Node = Condition::Node;
using NodePtr = std::shared_ptr<const Node>;

// What an operand evaluates to, with slots resolved.
struct Operand {
  enum class Kind { kUnset, kBool, kNumber, kText } kind = Kind::kUnset;
  bool boolean = false;
  Decimal number;
  std::string text;
};

Operand Resolve(const Node& node, const SlotMap& slots) {
  Operand out;
  switch (node.kind) {
    case Node::Kind::kNumber:
      out.kind = Operand::Kind::kNumber;
      out.number = node.number;
      break;
    case Node::Kind::kText:
      out.kind = Operand::Kind::kText;
      out.text = node.text;
      break;
    case Node::Kind::kBool:
      out.kind = Operand::Kind::kBool;
      out.boolean = node.boolean;
      break;
    case Node::Kind::kSlot: {
      auto it = slots.find(node.name);
      if (it == slots.end()) break;
      const Value& v = it->second;
      switch (v.kind()) {
        case Value::Kind::kNone:
          break;
        case Value::Kind::kBool:
          out.kind = Operand::Kind::kBool;
          out.boolean = v.as_bool();
          break;
        case Value::Kind::kInt:
          out.kind = Operand::Kind::kNumber;
          out.number = {v.as_int(), 0};
          break;
        // Centavos are pesos with two decimals: 5000 pesos == 500000 centavos.
        case Value::Kind::kMoney:
          out.kind = Operand::Kind::kNumber;
          out.number = {v.centavos(), 2};
          break;
        case Value::Kind::kText:
          out.kind = Operand::Kind::kText;
          out.text = v.text();
          break;
      }
      break;
    }
    default:
      break;
  }
  return out;
}

bool Holds(int cmp, Op op) {
  switch (op) {
    case Op::kEq:
      return cmp == 0;
    case Op::kNe:
      return cmp != 0;
    case Op::kLt:
      return cmp < 0;
    case Op::kLe:
      return cmp <= 0;
    case Op::kGt:
      return cmp > 0;
    case Op::kGe:
      return cmp >= 0;
  }
  return false;
}

// Unset operands and mismatched kinds make every comparison false, `!=` included: a condition
// must never route a conversation on data the user has not given.
bool Compare(const Operand& a, const Operand& b, Op op) {
  if (a.kind == Operand::Kind::kUnset || b.kind != a.kind) return false;
  switch (a.kind) {
    case Operand::Kind::kBool:
      if (op != Op::kEq && op != Op::kNe) return false;
      return Holds(a.boolean == b.boolean ? 0 : 1, op);
    case Operand::Kind::kNumber:
      return Holds(CompareDecimals(a.number, b.number), op);
    case Operand::Kind::kText:
      return Holds(a.text.compare(b.text), op);
    case Operand::Kind::kUnset:
      break;
  }
  return false;
}

bool Eval(const Node& node, const SlotMap& slots) {
  switch (node.kind) {
    case Node::Kind::kOr:
      return Eval(*node.left, slots) || Eval(*node.right, slots);
    case Node::Kind::kAnd:
      return Eval(*node.left, slots) && Eval(*node.right, slots);
    case Node::Kind::kNot:
      return !Eval(*node.left, slots);
    case Node::Kind::kCompare:
      return Compare(Resolve(*node.left, slots), Resolve(*node.right, slots), node.op);
    case Node::Kind::kSet: {
      auto it = slots.find(node.name);
      return it != slots.end() && !it->second.is_none();
    }
    default: {
      // A bare operand is true only when it is the boolean true (`ok`, `not ok`, `true`).
      Operand v = Resolve(node, slots);
      return v.kind == Operand::Kind::kBool && v.boolean;
    }
  }
}

void CollectIdentifiers(const Node& node, std::vector<std::string>* out) {
  if (node.kind == Node::Kind::kSlot || node.kind == Node::Kind::kSet) {
    if (std::find(out->begin(), out->end(), node.name) == out->end()) out->push_back(node.name);
  }
  if (node.left) CollectIdentifiers(*node.left, out);
  if (node.right) CollectIdentifiers(*node.right, out);
}

bool IsIdentStart(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsIdentChar(char c) { return IsIdentStart(c) || IsDigit(c); }

// Slots and literals; what a comparison may have on either side.
bool IsValue(const Node& node) {
  return node.kind == Node::Kind::kSlot || node.kind == Node::Kind::kNumber ||
         node.kind == Node::Kind::kText || node.kind == Node::Kind::kBool;
}

class Parser {
 public:
  explicit Parser(std::string_view src) : src_(src) {}

  Result<NodePtr> Parse() {
    NodePtr root = ParseOr();
    if (error_.empty()) {
      SkipSpace();
      if (pos_ < src_.size()) Fail("unexpected '" + std::string(1, src_[pos_]) + "'");
    }
    if (!error_.empty()) {
      return InvalidArgument("column " + std::to_string(error_pos_ + 1) + ": " + error_);
    }
    return root;
  }

 private:
  void Fail(std::string message) {
    if (!error_.empty()) return;  // keep the first, innermost error
    error_ = std::move(message);
    error_pos_ = pos_;
  }

  void SkipSpace() {
    while (pos_ < src_.size() &&
           (src_[pos_] == ' ' || src_[pos_] == '\t' || src_[pos_] == '\n' || src_[pos_] == '\r')) {
      ++pos_;
    }
  }

  // Consumes `word` when it is next as a whole word (keywords) or as punctuation.
  bool Accept(std::string_view token) {
    SkipSpace();
    if (src_.substr(pos_, token.size()) != token) return false;
    size_t end = pos_ + token.size();
    if (IsIdentStart(token[0]) && end < src_.size() && IsIdentChar(src_[end])) return false;
    // "!" must not swallow the start of "!=", nor "<" the start of "<=".
    if ((token == "!" || token == "<" || token == ">") && end < src_.size() && src_[end] == '=') {
      return false;
    }
    pos_ = end;
    return true;
  }

  static std::shared_ptr<Node> Binary(Node::Kind kind, NodePtr left, NodePtr right) {
    auto node = std::make_shared<Node>();
    node->kind = kind;
    node->left = std::move(left);
    node->right = std::move(right);
    return node;
  }

  NodePtr ParseOr() {
    NodePtr left = ParseAnd();
    while (error_.empty() && (Accept("or") || Accept("||"))) {
      left = Binary(Node::Kind::kOr, left, ParseAnd());
    }
    return left;
  }

  NodePtr ParseAnd() {
    NodePtr left = ParseUnary();
    while (error_.empty() && (Accept("and") || Accept("&&"))) {
      left = Binary(Node::Kind::kAnd, left, ParseUnary());
    }
    return left;
  }

  NodePtr ParseUnary() {
    if (Accept("not") || Accept("!")) return Binary(Node::Kind::kNot, ParseUnary(), nullptr);
    return ParseCompare();
  }

  NodePtr ParseCompare() {
    size_t left_pos = pos_;
    NodePtr left = ParseOperand();
    if (!error_.empty()) return left;
    static constexpr std::pair<std::string_view, Op> kOps[] = {{"==", Op::kEq}, {"!=", Op::kNe},
                                                               {"<=", Op::kLe}, {">=", Op::kGe},
                                                               {"<", Op::kLt},  {">", Op::kGt}};
    for (const auto& [token, op] : kOps) {
      if (!Accept(token)) continue;
      if (!IsValue(*left)) {
        pos_ = left_pos;
        Fail("'" + std::string(token) + "' compares a slot or a value, not an expression");
        return left;
      }
      size_t right_pos = pos_;
      NodePtr right = ParseOperand();
      if (error_.empty() && !IsValue(*right)) {
        pos_ = right_pos;
        Fail("'" + std::string(token) + "' compares a slot or a value, not an expression");
      }
      auto node = Binary(Node::Kind::kCompare, left, right);
      node->op = op;
      return node;
    }
    return left;
  }

  NodePtr ParseOperand() {
    SkipSpace();
    auto node = std::make_shared<Node>();
    if (pos_ >= src_.size()) {
      Fail("unexpected end of condition");
      return node;
    }
    char c = src_[pos_];
    if (Accept("(")) {
      NodePtr inner = ParseOr();
      if (error_.empty() && !Accept(")")) Fail("expected ')'");
      return inner;
    }
    if (c == '\'' || c == '"') return ParseText(c);
    if (IsDigit(c) || (c == '-' && pos_ + 1 < src_.size() && IsDigit(src_[pos_ + 1]))) {
      return ParseNumber();
    }
    if (!IsIdentStart(c)) {
      Fail("expected a slot, a number, 'text', true or false");
      return node;
    }
    size_t start = pos_;
    while (pos_ < src_.size() && IsIdentChar(src_[pos_])) ++pos_;
    std::string word(src_.substr(start, pos_ - start));
    if (word == "and" || word == "or" || word == "not") {
      pos_ = start;
      Fail("expected a value before '" + word + "'");
    } else if (word == "true" || word == "false") {
      node->kind = Node::Kind::kBool;
      node->boolean = word == "true";
    } else if (word == "set" && Accept("(")) {
      SkipSpace();
      size_t name_start = pos_;
      while (pos_ < src_.size() && IsIdentChar(src_[pos_])) ++pos_;
      if (pos_ == name_start || !IsIdentStart(src_[name_start])) {
        pos_ = name_start;
        Fail("set() needs a slot name");
      } else {
        node->kind = Node::Kind::kSet;
        node->name = std::string(src_.substr(name_start, pos_ - name_start));
        if (!Accept(")")) Fail("expected ')'");
      }
    } else {
      node->kind = Node::Kind::kSlot;
      node->name = std::move(word);
    }
    return node;
  }

  NodePtr ParseText(char quote) {
    auto node = std::make_shared<Node>();
    node->kind = Node::Kind::kText;
    size_t start = pos_++;
    while (pos_ < src_.size() && src_[pos_] != quote) node->text += src_[pos_++];
    if (pos_ >= src_.size()) {
      pos_ = start;
      Fail("text is not closed");
      return node;
    }
    ++pos_;
    return node;
  }

  NodePtr ParseNumber() {
    auto node = std::make_shared<Node>();
    node->kind = Node::Kind::kNumber;
    size_t start = pos_;
    bool negative = src_[pos_] == '-';
    if (negative) ++pos_;
    __int128 mantissa = 0;
    int scale = 0, digits = 0;
    bool in_fraction = false;
    for (; pos_ < src_.size(); ++pos_) {
      char c = src_[pos_];
      if (c == '.' && !in_fraction && pos_ + 1 < src_.size() && IsDigit(src_[pos_ + 1])) {
        in_fraction = true;
        continue;
      }
      if (!IsDigit(c)) break;
      mantissa = mantissa * 10 + (c - '0');
      if (in_fraction) ++scale;
      if (++digits > 30) {
        pos_ = start;
        Fail("number too long");
        return node;
      }
    }
    if (pos_ < src_.size() && IsIdentStart(src_[pos_])) {
      Fail("unexpected '" + std::string(1, src_[pos_]) + "' after a number");
    }
    node->number = {negative ? -mantissa : mantissa, scale};
    return node;
  }

  std::string_view src_;
  size_t pos_ = 0;
  std::string error_;
  size_t error_pos_ = 0;
};

}  // namespace

Condition::Condition() = default;

Result<Condition> Condition::Parse(std::string_view source) {
  Condition condition;
  condition.source_ = std::string(source);
  if (source.find_first_not_of(" \t\r\n") == std::string_view::npos) return condition;
  Result<NodePtr> root = Parser(source).Parse();
  if (!root.ok()) return root.status();
  condition.root_ = std::move(root.value());
  return condition;
}

bool Condition::Evaluate(const SlotMap& slots) const {
  return root_ == nullptr || Eval(*root_, slots);
}

std::vector<std::string> Condition::Identifiers() const {
  std::vector<std::string> names;
  if (root_) CollectIdentifiers(*root_, &names);
  return names;
}

}  // namespace bot
