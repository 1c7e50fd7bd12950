// The diagrams in docs/dialogs/<id>.md are what `botrunner graph <id>` prints from
// dialogs/<id>.yaml now, so the picture in the docs cannot drift from the dialog the engine runs.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "bot/dialog_loader.h"

namespace bot {
namespace {

namespace fs = std::filesystem;

std::string Src(const std::string& relative) {
  return std::string(BOT_SOURCE_DIR) + "/" + relative;
}

// The body of the first ```mermaid block of a Markdown file ("" when there is none).
std::string MermaidBlock(const fs::path& markdown) {
  std::ifstream in(markdown);
  std::string line, body;
  bool inside = false;
  while (std::getline(in, line)) {
    if (!inside) {
      inside = line == "```mermaid";
    } else if (line == "```") {
      return body;
    } else {
      body += line + "\n";
    }
  }
  return "";
}

TEST(DialogDocs, EachDiagramIsWhatGraphPrintsFromTheDialogFile) {
  int checked = 0;
  for (const auto& entry : fs::directory_iterator(Src("docs/dialogs"))) {
    if (entry.path().extension() != ".md") continue;
    const std::string id = entry.path().stem().string();
    SCOPED_TRACE(entry.path().string());
    Result<Dialog> dialog = LoadDialogFile(Src("dialogs/" + id + ".yaml"), Src("prompts"));
    ASSERT_TRUE(dialog.ok()) << dialog.status().ToString();
    Result<std::string> graph = RenderDialogGraph(*dialog, "mermaid");
    ASSERT_TRUE(graph.ok()) << graph.status().ToString();
    EXPECT_EQ(MermaidBlock(entry.path()), *graph)
        << "paste the output of: botrunner graph " << id << " --format mermaid";
    ++checked;
  }
  EXPECT_GE(checked, 1);
}

TEST(DialogDocs, FindsTheMermaidBlockOfAMarkdownFile) {
  fs::path dir = fs::path(::testing::TempDir()) / "dialog_docs_test";
  fs::create_directories(dir);
  std::ofstream(dir / "a.md") << "# A\n\n```sh\nx\n```\n\n```mermaid\nstateDiagram-v2\n    a --> b\n```\n";
  EXPECT_EQ(MermaidBlock(dir / "a.md"), "stateDiagram-v2\n    a --> b\n");
  std::ofstream(dir / "b.md") << "# B\nno diagram\n";
  EXPECT_EQ(MermaidBlock(dir / "b.md"), "");
  fs::remove_all(dir);
}

}  // namespace
}  // namespace bot
