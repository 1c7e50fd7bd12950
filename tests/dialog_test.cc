// The dialog model: loading and validating dialog files, the condition language, prompt
// rendering, dialogs built in C++, the diagrams and `botrunner graph`.
#include "bot/dialog.h"

#include <gtest/gtest.h>

#include <CLI/CLI.hpp>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "bot/dialog_loader.h"
#include "cli/commands.h"

namespace bot {
namespace {

const std::string kRoot = BOT_SOURCE_DIR;
const std::string kDialogs = kRoot + "/dialogs";
const std::string kPrompts = kRoot + "/prompts";
const std::string kFixtures = kRoot + "/tests/data/dialogs";
const std::string kFixturePrompts = kFixtures + "/prompts";

TEST(DialogLoader, LoadsReviewRatingWithItsStatesSlotsAndMergedPrompts) {
  Result<Dialog> dialog = LoadDialogFile(kDialogs + "/review_rating.yaml", kPrompts);
  ASSERT_TRUE(dialog.ok()) << dialog.status().ToString();
  EXPECT_EQ(dialog->id, "review_rating");
  EXPECT_EQ(dialog->version, 1);
  EXPECT_EQ(dialog->start, "ask_rating");
  EXPECT_EQ(dialog->inbound_start, "intro");
  EXPECT_EQ(dialog->session_timeout, std::chrono::hours(24));
  EXPECT_EQ(dialog->variables.at("name"), "");  // ~ = required
  EXPECT_EQ(dialog->variables.at("doctor"), "nuestro consultorio");
  ASSERT_NE(dialog->FindSlot("rating"), nullptr);
  EXPECT_EQ(dialog->FindSlot("rating")->type, SlotType::kRating);
  EXPECT_EQ(dialog->FindSlot("rating")->max, 5);
  EXPECT_EQ(dialog->FindSlot("feedback")->max_length, 1000u);
  const State* intro = dialog->FindState("intro");
  ASSERT_NE(intro, nullptr);
  EXPECT_EQ(intro->on_exhausted, "unclear");
  ASSERT_EQ(intro->transitions.size(), 2u);
  EXPECT_EQ(intro->transitions[0].when.source(), "rating >= 4");
  ASSERT_EQ(intro->transitions[0].actions.size(), 1u);
  EXPECT_EQ(intro->transitions[0].actions[0].name, "record");
  EXPECT_EQ(intro->transitions[0].actions[0].arg, "review");
  EXPECT_TRUE(intro->transitions[1].when.always());
  EXPECT_TRUE(dialog->FindState("unclear")->end);
  ASSERT_NE(dialog->FindPrompt("closing"), nullptr);  // from common.yaml
  EXPECT_NE(dialog->FindPrompt("ask_rating")->find("{{doctor}}"), std::string::npos);
}

TEST(DialogLoader, LetsTheDialogsPromptFileOverrideCommonPrompts) {
  Result<Dialog> dialog = LoadDialogFile(kDialogs + "/bench_review.yaml", kPrompts);
  ASSERT_TRUE(dialog.ok()) << dialog.status().ToString();
  EXPECT_EQ(*dialog->FindPrompt("optout_confirm"),
            "Ha sido dado de baja. No recibirá más mensajes.");
  EXPECT_EQ(dialog->FindState("greeting")->max_attempts, 0);
}

TEST(DialogLoader, LoadsEveryDialogOfAFolder) {
  auto set = LoadDialogDir(kDialogs, kPrompts);
  ASSERT_TRUE(set.ok()) << set.status().ToString();
  EXPECT_EQ((*set)->Ids(), (std::vector<std::string>{"bench_review", "credit_application",
                                                     "lead_qualification", "review_rating"}));
  ASSERT_NE((*set)->Find("review_rating"), nullptr);
  EXPECT_EQ((*set)->Find("nope"), nullptr);
}

TEST(DialogLoader, FailsOnAFolderWithABrokenDialogNamingThatFile) {
  auto set = LoadDialogDir(kFixtures, kFixturePrompts);
  ASSERT_FALSE(set.ok());
  EXPECT_NE(set.status().message().find("bad_slot_type.yaml:9"), std::string::npos)
      << set.status().message();
}

TEST(DialogLoader, AcceptsTheMinimalFixtureEveryBrokenOneDerivesFrom) {
  Result<Dialog> dialog = LoadDialogFile(kFixtures + "/minimal.yaml", kFixturePrompts);
  EXPECT_TRUE(dialog.ok()) << dialog.status().ToString();
}

struct BrokenCase {
  const char* file;
  const char* error;  // expected substring, with file:line
};

TEST(DialogLoader, RejectsBrokenDialogsNamingFileLineAndProblem) {
  const BrokenCase cases[] = {
      {"unknown_state", "unknown_state.yaml:18: state 'ask': transition to unknown state 'sadd'"},
      {"unreachable_state", "unreachable_state.yaml:25: state 'orphan' is unreachable"},
      {"missing_prompt", "missing_prompt.yaml:23: state 'sad': say prompt 'goodbye' is not in"},
      {"unknown_slot_in_condition",
       "unknown_slot_in_condition.yaml:16: state 'ask': condition 'ratng >= 4' names unknown "
       "slot 'ratng'"},
      {"bad_slot_type", "bad_slot_type.yaml:9: slot 'rating': unknown type 'ratting'"},
      {"condition_syntax",
       "condition_syntax.yaml:16: condition 'rating >= (4 and': column 17: "
       "unexpected end of condition"},
      {"undeclared_variable",
       "prompts/es/bad_vars.yaml:4: prompt 'happy' uses undeclared variable 'nombre'"},
      {"duplicate_state", "duplicate_state.yaml:25: duplicate state 'happy' (first at line 19)"},
      {"no_start", "no_start.yaml:2: no start state"},
      {"stuck_state", "stuck_state.yaml:25: state 'thinking' is stuck"},
      {"unknown_action", "unknown_action.yaml:18: state 'ask': unknown action 'send'"},
      {"typo_key",
       "typo_key.yaml:15: unknown key 'trasitions' in state 'ask' (did you mean "
       "'transitions'?)"},
      {"min_above_max", "min_above_max.yaml:9: slot 'rating': min 5 is greater than max 1"},
      {"id_mismatch", "id_mismatch.yaml:2: id 'minimal' must equal the file's base name"},
      {"clear_unknown_slot", "clear_unknown_slot.yaml:18: state 'ask': 'clear' names unknown slot"},
      {"record_without_kind", "record_without_kind.yaml:18: state 'ask': 'record' needs a kind"},
      {"bad_timeout", "bad_timeout.yaml:4: session_timeout '24 hours' is not a duration"},
      {"no_end_reachable", "no_end_reachable.yaml:5: no end state is reachable"},
      {"garbage", "garbage.yaml:4: not valid YAML"},
      {"not_utf8", "not_utf8.yaml:7: not valid UTF-8 (byte 41 of the line)"},
  };
  for (const BrokenCase& c : cases) {
    Result<Dialog> dialog = LoadDialogFile(kFixtures + "/" + c.file + ".yaml", kFixturePrompts);
    ASSERT_FALSE(dialog.ok()) << c.file;
    EXPECT_EQ(dialog.status().code(), StatusCode::kInvalidArgument) << c.file;
    EXPECT_NE(dialog.status().message().find(c.error), std::string::npos)
        << c.file << "\n  got: " << dialog.status().message() << "\n want: " << c.error;
  }
}

TEST(DialogLoader, ReportsAMissingFileAsNotFound) {
  Result<Dialog> dialog = LoadDialogFile(kFixtures + "/no_such_dialog.yaml", kFixturePrompts);
  ASSERT_FALSE(dialog.ok());
  EXPECT_EQ(dialog.status().code(), StatusCode::kNotFound);
}

struct ConditionCase {
  const char* source;
  SlotMap slots;
  bool expected;
};

TEST(Condition, EvaluatesComparisonsLogicAndSlotKinds) {
  const SlotMap x_only = {
      {"x", Value::Bool(true)}, {"y", Value::Bool(false)}, {"z", Value::Bool(false)}};
  const ConditionCase cases[] = {
      {"rating >= 4", {{"rating", Value::Int(5)}}, true},
      {"rating >= 4", {{"rating", Value::Int(3)}}, false},
      {"rating >= 4", {}, false},                     // unset: comparison is false
      {"rating != 4", {}, false},                     // ... even !=
      {"not rating >= 4", {}, true},                  // and `not` flips it
      {"rating >= 4", {{"rating", Value()}}, false},  // a none value is unset too
      {"rating > 3 and rating < 5", {{"rating", Value::Int(4)}}, true},
      {"rating <= 2 || rating == 5", {{"rating", Value::Int(5)}}, true},
      {"rating >= -1", {{"rating", Value::Int(0)}}, true},
      {"rating == '5'", {{"rating", Value::Int(5)}}, false},  // number vs text: no match
      {"x or y and z", x_only, true},                         // and binds tighter than or
      {"(x or y) and z", x_only, false},
      {"not x or y", x_only, false},
      {"not (y or z)", x_only, true},
      {"!y && x", x_only, true},
      {"amount == 5750", {{"amount", Value::Money(575000)}}, true},  // pesos vs centavos
      {"amount > 5750", {{"amount", Value::Money(575000)}}, false},
      {"amount >= 5750.00", {{"amount", Value::Money(575000)}}, true},
      {"amount == 1000.50", {{"amount", Value::Money(100050)}}, true},
      {"amount == 1000.5", {{"amount", Value::Money(100050)}}, true},
      {"amount < 1000.51", {{"amount", Value::Money(100050)}}, true},
      {"amount > 1000.501", {{"amount", Value::Money(100050)}}, false},
      {"amount == 575000", {{"amount", Value::Money(575000)}}, false},
      {"amount < 10000", {}, false},
      {"set(feedback)", {}, false},
      {"set(feedback)", {{"feedback", Value::Text("muy lento")}}, true},
      {"not set(feedback)", {}, true},
      {"name == 'Ana'", {{"name", Value::Text("Ana")}}, true},
      {"name == \"ana\"", {{"name", Value::Text("Ana")}}, false},  // byte-wise
      {"name < 'B'", {{"name", Value::Text("Ana")}}, true},
      {"ok == true", {{"ok", Value::Bool(true)}}, true},
      {"ok != true", {{"ok", Value::Bool(true)}}, false},
      {"ok == false", {}, false},
      {"ok", {{"ok", Value::Bool(true)}}, true},
      {"not ok", {{"ok", Value::Bool(true)}}, false},
      {"ok < true", {{"ok", Value::Bool(false)}}, false},  // booleans have no order
      {"days == 14 or days == 30", {{"days", Value::Int(30)}}, true},
      {"", {}, true},
      {"true", {}, true},
      {"false", {}, false},
  };
  for (const ConditionCase& c : cases) {
    Result<Condition> condition = Condition::Parse(c.source);
    ASSERT_TRUE(condition.ok()) << c.source << ": " << condition.status().message();
    EXPECT_EQ(condition->Evaluate(c.slots), c.expected) << c.source;
  }
}

TEST(Condition, RejectsSyntaxErrorsWithTheColumn) {
  const std::pair<const char*, const char*> cases[] = {
      {"rating >=", "column 10: unexpected end of condition"},
      {"rating >= (4", "column 13: expected ')'"},
      {"rating = 4", "column 8: unexpected '='"},
      {"rating >= 4 and", "column 16: unexpected end of condition"},
      {"name == 'Ana", "column 9: text is not closed"},
      {"set(4)", "column 5: set() needs a slot name"},
      {"rating >= 4 5", "column 13: unexpected '5'"},
      {"and x", "column 1: expected a value before 'and'"},
      {"rating >= 4x", "column 12: unexpected 'x' after a number"},
      {"rating @ 4", "column 8: unexpected '@'"},
      {"(a or b) == 1", "column 1: '==' compares a slot or a value"},
  };
  for (const auto& [source, error] : cases) {
    Result<Condition> condition = Condition::Parse(source);
    ASSERT_FALSE(condition.ok()) << source;
    EXPECT_NE(condition.status().message().find(error), std::string::npos)
        << source << " -> " << condition.status().message();
  }
}

TEST(Condition, ListsTheSlotsItReadsOnce) {
  Result<Condition> condition = Condition::Parse("rating >= 4 and set(feedback) or rating == 1");
  ASSERT_TRUE(condition.ok());
  EXPECT_EQ(condition->Identifiers(), (std::vector<std::string>{"rating", "feedback"}));
  EXPECT_TRUE(Condition().always());
  EXPECT_TRUE(Condition().Evaluate({}));
}

TEST(RenderPrompt, FormatsMoneyTheMexicanWay) {
  const std::pair<int64_t, const char*> cases[] = {
      {575000, "$5,750.00"}, {100000000, "$1,000,000.00"}, {50, "$0.50"},    {0, "$0.00"},
      {99999, "$999.99"},    {100000, "$1,000.00"},        {-150, "-$1.50"},
  };
  for (const auto& [centavos, text] : cases) {
    EXPECT_EQ(RenderPrompt("{{amount}}", {{"amount", Value::Money(centavos)}}, {}), text);
  }
}

TEST(RenderPrompt, FillsSlotsVariablesAndBuiltins) {
  SlotMap slots = {{"rating", Value::Int(5)}, {"feedback", Value()}};
  VarMap vars = {{"doctor", "Dra. Pérez"}, {"profile_name", "Ana"}, {"feedback", "(sin)"}};
  EXPECT_EQ(RenderPrompt("Hola {{profile_name}}, {{ rating }} para {{doctor}}", slots, vars),
            "Hola Ana, 5 para Dra. Pérez");
  EXPECT_EQ(RenderPrompt("[{{feedback}}]", slots, vars), "[(sin)]");  // unset slot: the variable
  EXPECT_EQ(RenderPrompt("[{{nadie}}]", slots, vars), "[]");
  EXPECT_EQ(RenderPrompt("sin cerrar {{rating", slots, vars), "sin cerrar {{rating");
}

TEST(TemplateVariables, ListsNamesAndCatchesAnUnclosedBrace) {
  std::vector<std::string> names;
  EXPECT_TRUE(TemplateVariables("a {{x}} b {{ y }} c", &names));
  EXPECT_EQ(names, (std::vector<std::string>{"x", "y"}));
  EXPECT_FALSE(TemplateVariables("a {{x", &names));
}

TEST(SlotTypes, RoundTripTheirNames) {
  for (SlotType type :
       {SlotType::kRating, SlotType::kInteger, SlotType::kYesNo, SlotType::kMoney, SlotType::kDays,
        SlotType::kPhone, SlotType::kEmail, SlotType::kDate, SlotType::kText}) {
    SlotType parsed = SlotType::kText;
    ASSERT_TRUE(ParseSlotType(SlotTypeName(type), &parsed)) << SlotTypeName(type);
    EXPECT_EQ(parsed, type);
  }
  SlotType parsed;
  EXPECT_FALSE(ParseSlotType("ratting", &parsed));
  EXPECT_TRUE(IsBuiltinVariable("today"));
  EXPECT_FALSE(IsBuiltinVariable("doctor"));
}

// A loan-amount dialog written in C++ rather than YAML.
Dialog BuiltLoanDialog() {
  Dialog d;
  d.id = "loan";
  d.start = "ask_amount";
  SlotSpec amount;
  amount.name = "amount";
  amount.type = SlotType::kMoney;
  amount.min = 1000;
  amount.max = 50000;
  d.slots.push_back(amount);
  State ask;
  ask.name = "ask_amount";
  ask.say = "ask_amount";
  ask.ask = "amount";
  ask.help = "amount_help";
  Transition big;
  big.when = *Condition::Parse("amount > 20000");
  big.to = "human";
  big.actions = {{"record", "loan", {}}, {"handoff", "", {}}};
  Transition otherwise;
  otherwise.to = "done";
  otherwise.actions = {{"record", "loan", {}}};
  ask.transitions = {big, otherwise};
  d.states.push_back(ask);
  for (const char* name : {"human", "done"}) {
    State end;
    end.name = name;
    end.say = name;
    end.end = true;
    d.states.push_back(end);
  }
  d.prompts = {{"ask_amount", "¿Cuánto necesita?"},
               {"amount_help", "Ej.: 5 mil"},
               {"human", "Le llamamos por {{amount}}"},
               {"done", "Listo, {{profile_name}}"}};
  for (const char* key : {"optout_confirm", "optin_confirm", "handoff_confirm", "restart_confirm",
                          "dialog_changed", "media_unsupported", "help_default", "closing",
                          "voice_unavailable", "llm_slot_system", "document_unavailable"}) {
    d.prompts[key] = "texto";
  }
  return d;
}

TEST(ValidateDialog, AcceptsADialogBuiltInCpp) {
  Dialog d = BuiltLoanDialog();
  Status status = ValidateDialog(d);
  EXPECT_TRUE(status.ok()) << status.ToString();
  EXPECT_TRUE(d.states[0].transitions[0].when.Evaluate({{"amount", Value::Money(2000001)}}));
}

TEST(ValidateDialog, RejectsBrokenDialogsBuiltInCpp) {
  struct Case {
    void (*breakit)(Dialog*);
    const char* error;
  };
  const Case cases[] = {
      {[](Dialog* d) { d->states[0].transitions[1].to = "gone"; }, "unknown state 'gone'"},
      {[](Dialog* d) { d->prompts.erase("closing"); }, "prompt 'closing' is missing"},
      {[](Dialog* d) { d->prompts["done"] = "{{monto}}"; }, "undeclared variable 'monto'"},
      {[](Dialog* d) { d->states[0].ask = "monto"; }, "ask names unknown slot 'monto'"},
      {[](Dialog* d) { d->states[0].transitions[0].actions[0].name = "email"; },
       "unknown action 'email'"},
      {[](Dialog* d) { d->states.push_back(d->states[1]); }, "duplicate state 'human'"},
      {[](Dialog* d) { d->slots[0].min = 60000; }, "min 60000 is greater than max 50000"},
      {[](Dialog* d) { d->variables["today"] = ""; }, "variable 'today' is built in"},
      {[](Dialog* d) { d->start = ""; }, "no start state"},
  };
  for (const Case& c : cases) {
    Dialog d = BuiltLoanDialog();
    c.breakit(&d);
    Status status = ValidateDialog(d);
    ASSERT_FALSE(status.ok()) << c.error;
    EXPECT_EQ(status.message().rfind("dialog 'loan'", 0), 0u) << status.message();
    EXPECT_NE(status.message().find(c.error), std::string::npos) << status.message();
  }
}

void ExpectContainsAll(const std::string& text, std::initializer_list<const char*> parts) {
  for (const char* part : parts) {
    EXPECT_NE(text.find(part), std::string::npos) << part << "\n" << text;
  }
}

TEST(DialogGraph, DrawsReviewRatingAsMermaid) {
  Result<Dialog> dialog = LoadDialogFile(kDialogs + "/review_rating.yaml", kPrompts);
  ASSERT_TRUE(dialog.ok());
  Result<std::string> graph = RenderDialogGraph(*dialog, "mermaid");
  ASSERT_TRUE(graph.ok());
  ExpectContainsAll(*graph,
                    {"stateDiagram-v2\n", "[*] --> ask_rating : bot writes first\n",
                     "[*] --> intro : user writes first\n",
                     "ask_rating --> thanks_review : rating >= 4 / record review\n",
                     "ask_rating --> ask_feedback : otherwise\n",
                     "ask_feedback --> thanks_feedback : / record review\n",
                     "ask_rating --> unclear : ⚠ 3 failed attempts\n", "thanks_review --> [*]\n",
                     "ask_rating : says ask_rating, asks rating\n",
                     "class thanks_review,thanks_feedback,unclear endState\n"});
}

TEST(DialogGraph, DrawsDotWithDashedExhaustedEdgesAndMarkedEndStates) {
  Dialog d = BuiltLoanDialog();
  d.states[0].max_attempts = 2;  // no on_exhausted: the engine closes the conversation
  Result<std::string> graph = RenderDialogGraph(d, "dot");
  ASSERT_TRUE(graph.ok());
  ExpectContainsAll(
      *graph,
      {"digraph \"loan\" {", "\"[start]\" -> \"ask_amount\";",
       "\"ask_amount\" -> \"human\" [label=\"amount > 20000 / record loan, handoff\"];",
       "\"ask_amount\" -> \"[end]\" [label=\"2 failed attempts / closing\", style=dashed];",
       "\"done\" [label=\"done\\nsays done (end)\", peripheries=2];", "\"done\" -> \"[end]\";"});
  EXPECT_FALSE(RenderDialogGraph(d, "svg").ok());
}

// A change request ("quiero cambiar el monto") works from every live state: drawn once, from a
// pseudo-state.
TEST(DialogGraph, DrawsChangeRequestsFromAnyLiveState) {
  Result<Dialog> dialog = LoadDialogFile(kDialogs + "/credit_application.yaml", kPrompts);
  ASSERT_TRUE(dialog.ok()) << dialog.status().ToString();
  Result<std::string> mermaid = RenderDialogGraph(*dialog, "mermaid");
  ASSERT_TRUE(mermaid.ok());
  ExpectContainsAll(*mermaid,
                    {"    state \"any live state\" as any_live_state\n",
                     "any_live_state --> ask_amount : change monto|cantidad|dinero|prestamo / "
                     "clear amount, confirm_quote\n",
                     "any_live_state --> ask_ine : change ine|credencial|identificacion / clear "
                     "ine\n"});
  Result<std::string> dot = RenderDialogGraph(*dialog, "dot");
  ASSERT_TRUE(dot.ok());
  ExpectContainsAll(*dot, {"\"[any live state]\" [shape=plaintext];\n",
                           "\"[any live state]\" -> \"ask_term\" [label=\"change "
                           "plazo|dias|tiempo|fecha / clear term, confirm_quote\", "
                           "style=dotted];\n"});
}

// Runs `botrunner graph ...` in-process and returns its exit code; output goes to *out, *err.
int RunGraphCommand(std::vector<std::string> args, std::string* out, std::string* err) {
  CLI::App app;
  int exit_code = 0;
  runner::AddGraphCommand(app, &exit_code);
  std::vector<std::string> argv = {"botrunner", "graph"};
  argv.insert(argv.end(), args.begin(), args.end());
  std::vector<const char*> cargv;
  for (const std::string& a : argv) cargv.push_back(a.c_str());
  std::ostringstream out_stream, err_stream;
  auto* old_out = std::cout.rdbuf(out_stream.rdbuf());
  auto* old_err = std::cerr.rdbuf(err_stream.rdbuf());
  try {
    app.parse(static_cast<int>(cargv.size()), cargv.data());
  } catch (const CLI::ParseError& e) {
    exit_code = app.exit(e);
  }
  std::cout.rdbuf(old_out);
  std::cerr.rdbuf(old_err);
  *out = out_stream.str();
  *err = err_stream.str();
  return exit_code;
}

TEST(GraphCommand, PrintsADialogByIdOrByFile) {
  std::string out, err;
  EXPECT_EQ(
      RunGraphCommand({"review_rating", "--dialogs", kDialogs, "--prompts", kPrompts}, &out, &err),
      0)
      << err;
  EXPECT_EQ(out.rfind("stateDiagram-v2\n", 0), 0u) << out;
  EXPECT_EQ(RunGraphCommand(
                {kFixtures + "/minimal.yaml", "--format", "dot", "--prompts", kFixturePrompts},
                &out, &err),
            0)
      << err;
  EXPECT_NE(out.find("\"ask\" -> \"happy\" [label=\"rating >= 4\"];"), std::string::npos) << out;
}

TEST(GraphCommand, ExitsWithOneAndTheErrorOnABrokenDialog) {
  std::string out, err;
  EXPECT_EQ(RunGraphCommand({kFixtures + "/unknown_state.yaml", "--prompts", kFixturePrompts}, &out,
                            &err),
            1);
  EXPECT_NE(err.find("unknown_state.yaml:18:"), std::string::npos) << err;
  EXPECT_EQ(out, "");
  EXPECT_EQ(RunGraphCommand({"no_such_dialog", "--dialogs", kDialogs}, &out, &err), 1);
  EXPECT_NE(err.find("no_such_dialog.yaml"), std::string::npos) << err;
}

}  // namespace
}  // namespace bot
