// Local OCR with Tesseract on images rendered at test time from a built-in 5x7 bitmap font
// (no ImageMagick, no font files), plus the vision OCR provider against the fake server.
#include <gtest/gtest.h>
#include <leptonica/allheaders.h>

#include <map>
#include <string>
#include <vector>

#include "bot/providers.h"
#include "bot/tesseract_ocr.h"
#include "bot/testing/fake_clock.h"
#include "support/fake_llm_server.h"

namespace bot {
namespace {

SchemaField Field(std::string name) {
  SchemaField field;
  field.name = std::move(name);
  return field;
}

// 5x7 glyphs, one string of 7 rows per character, '#' = ink.
const std::map<char, std::vector<const char*>>& Font() {
  static const auto* kFont = new std::map<char, std::vector<const char*>>{
      {'A', {".###.", "#...#", "#...#", "#####", "#...#", "#...#", "#...#"}},
      {'B', {"####.", "#...#", "#...#", "####.", "#...#", "#...#", "####."}},
      {'C', {".###.", "#...#", "#....", "#....", "#....", "#...#", ".###."}},
      {'D', {"####.", "#...#", "#...#", "#...#", "#...#", "#...#", "####."}},
      {'E', {"#####", "#....", "#....", "####.", "#....", "#....", "#####"}},
      {'I', {".###.", "..#..", "..#..", "..#..", "..#..", "..#..", ".###."}},
      {'L', {"#....", "#....", "#....", "#....", "#....", "#....", "#####"}},
      {'M', {"#...#", "##.##", "#.#.#", "#.#.#", "#...#", "#...#", "#...#"}},
      {'N', {"#...#", "##..#", "##..#", "#.#.#", "#..##", "#..##", "#...#"}},
      {'O', {".###.", "#...#", "#...#", "#...#", "#...#", "#...#", ".###."}},
      {'P', {"####.", "#...#", "#...#", "####.", "#....", "#....", "#...."}},
      {'R', {"####.", "#...#", "#...#", "####.", "#.#..", "#..#.", "#...#"}},
      {'S', {".####", "#....", "#....", ".###.", "....#", "....#", "####."}},
      {'U', {"#...#", "#...#", "#...#", "#...#", "#...#", "#...#", ".###."}},
      {'Z', {"#####", "....#", "...#.", "..#..", ".#...", "#....", "#####"}},
      {'1', {"..#..", ".##..", "..#..", "..#..", "..#..", "..#..", ".###."}},
      {'2', {".###.", "#...#", "....#", "...#.", "..#..", ".#...", "#####"}},
      {'3', {"#####", "...#.", "..#..", "...#.", "....#", "#...#", ".###."}},
      {'4', {"...#.", "..##.", ".#.#.", "#..#.", "#####", "...#.", "...#."}},
      {'5', {"#####", "#....", "####.", "....#", "....#", "#...#", ".###."}},
      {'6', {"..##.", ".#...", "#....", "####.", "#...#", "#...#", ".###."}},
      {'7', {"#####", "....#", "....#", "...#.", "..#..", "..#..", "..#.."}},
      {'8', {".###.", "#...#", "#...#", ".###.", "#...#", "#...#", ".###."}},
      {':', {".....", ".##..", ".##..", ".....", ".##..", ".##..", "....."}},
      {' ', {".....", ".....", ".....", ".....", ".....", ".....", "....."}},
  };
  return *kFont;
}

// Draws `lines` black on white, each font pixel a `scale`×`scale` square, blurs the result a
// little (Tesseract reads anti-aliased strokes better than hard blocks) and returns a PNG.
std::string RenderPng(const std::vector<std::string>& lines, int scale) {
  const int kMargin = 8 * scale;
  size_t columns = 0;
  for (const std::string& line : lines) columns = std::max(columns, line.size());
  const int kAdvance = 7;  // glyph width 5 plus 2 columns of space
  int width = 2 * kMargin + static_cast<int>(columns) * kAdvance * scale;
  int height = 2 * kMargin + static_cast<int>(lines.size()) * 11 * scale;
  PIX* pix = pixCreate(width, height, 1);  // 1 bpp: 0 = white, 1 = black
  for (size_t row = 0; row < lines.size(); ++row) {
    for (size_t col = 0; col < lines[row].size(); ++col) {
      const std::vector<const char*>& glyph = Font().at(lines[row][col]);
      for (int gy = 0; gy < 7; ++gy) {
        for (int gx = 0; gx < 5; ++gx) {
          if (glyph[gy][gx] != '#') continue;
          int x0 = kMargin + (static_cast<int>(col) * kAdvance + gx) * scale;
          int y0 = kMargin + (static_cast<int>(row) * 11 + gy) * scale;
          pixRasterop(pix, x0, y0, scale, scale, PIX_SET, nullptr, 0, 0);
        }
      }
    }
  }
  PIX* gray = pixConvertTo8(pix, 0);
  PIX* smooth = pixBlockconv(gray, scale / 3, scale / 3);
  l_uint8* data = nullptr;
  size_t size = 0;
  pixWriteMem(&data, &size, smooth, IFF_PNG);
  pixDestroy(&smooth);
  pixDestroy(&gray);
  std::string png(reinterpret_cast<char*>(data), size);
  lept_free(data);
  pixDestroy(&pix);
  return png;
}

ExtractionSchema IdCardPatterns() {
  SchemaField name = Field("nombre");
  name.pattern = "NOMBRE\\W*([A-Z]+ [A-Z]+)";
  SchemaField number = Field("cedula");
  number.pattern = "([0-9]{10})";
  SchemaField missing = Field("telefono");
  missing.pattern = "TELEFONO:\\s*([0-9]+)";
  return {"id_card", {name, number, missing}};
}

TEST(TesseractOcr, ReadsRenderedSpanishTextAndFindsFields) {
  testing::FakeClock clock;
  auto ledger = NewMemoryUsageLedger({});
  Result<std::unique_ptr<OcrProvider>> ocr =
      NewTesseractOcrProvider({}, ProviderContext{nullptr, &clock, ledger.get(), {}});
  ASSERT_TRUE(ocr.ok()) << ocr.status().ToString();
  OcrRequest request;
  request.image = RenderPng({"REPUBLICA DEL ECUADOR", "NOMBRE: MARIA PEREZ", "CEDULA: 1712345678"}, 6);
  request.content_type = "image/png";
  request.schema = IdCardPatterns();
  Result<OcrReply> reply = (*ocr)->Read(request);
  ASSERT_TRUE(reply.ok()) << reply.status().ToString();
  EXPECT_NE(reply->text.find("ECUADOR"), std::string::npos) << reply->text;
  EXPECT_NE(reply->text.find("MARIA PEREZ"), std::string::npos) << reply->text;
  EXPECT_GT(reply->confidence, 0.5);
  EXPECT_EQ(reply->fields["nombre"].text, "MARIA PEREZ") << reply->text;
  EXPECT_FALSE(reply->fields["nombre"].is_null);
  EXPECT_GT(reply->fields["nombre"].confidence, 0.5);
  EXPECT_EQ(reply->fields["cedula"].text, "1712345678");
  EXPECT_TRUE(reply->fields["telefono"].is_null);
  EXPECT_EQ(reply->fields["telefono"].confidence, 0);
  ASSERT_EQ(ledger->Records().size(), 1u);
  EXPECT_EQ(ledger->Records()[0].provider, "tesseract");
  EXPECT_EQ(ledger->Records()[0].cost_micro_usd, 0);
}

TEST(TesseractOcr, RejectsBytesThatAreNotAnImage) {
  testing::FakeClock clock;
  Result<std::unique_ptr<OcrProvider>> ocr =
      NewTesseractOcrProvider({}, ProviderContext{nullptr, &clock, nullptr, {}});
  ASSERT_TRUE(ocr.ok());
  OcrRequest request;
  request.image = "not an image at all";
  Result<OcrReply> reply = (*ocr)->Read(request);
  EXPECT_EQ(reply.status().code(), StatusCode::kInvalidArgument);
}

TEST(TesseractOcr, UnknownLanguageIsAnError) {
  Result<std::unique_ptr<OcrProvider>> ocr =
      NewTesseractOcrProvider({"xx_no_such_language", ""}, ProviderContext{});
  EXPECT_EQ(ocr.status().code(), StatusCode::kInvalidArgument);
}

// ---- Vision OCR over the OpenAI-compatible API ----

class VisionOcrTest : public ::testing::Test {
 protected:
  VisionOcrTest()
      : http_(NewCurlHttpClient()),
        retrier_(http_.get(), &clock_, RetryOptions{}, [](std::chrono::milliseconds) {}),
        ledger_(NewMemoryUsageLedger({})) {}

  std::unique_ptr<OcrProvider> Provider() {
    LlmConfig config;
    config.base_url = server_.base_url();
    config.api_key = testing::FakeLlmServer::kApiKey;
    config.model = "gpt-4o-mini";
    return NewVisionOcrProvider(config, ProviderContext{&retrier_, &clock_, ledger_.get(), {}});
  }

  static OcrRequest Request() {
    OcrRequest request;
    request.image = std::string("\xFF\xD8\xFF\xE0 fake jpeg bytes", 20);
    request.schema = {"id_card",
                      {Field("full_name"), Field("document_number")}};
    request.schema.fields[1].nullable = true;
    return request;
  }

  testing::FakeLlmServer server_;
  testing::FakeClock clock_;
  std::unique_ptr<HttpClient> http_;
  HttpRetrier retrier_;
  std::unique_ptr<UsageLedger> ledger_;
};

TEST_F(VisionOcrTest, SendsTheImageAsDataUrlAndReadsFieldsWithConfidence) {
  server_.Enqueue("/v1/chat/completions",
                  testing::ChatReply(R"({"text":"MARIA PEREZ 1712345678","text_confidence":0.9,)"
                                     R"("fields":{"full_name":"MARIA PEREZ","document_number":null},)"
                                     R"("confidence":{"full_name":0.95,"document_number":0}})"));
  Result<OcrReply> reply = Provider()->Read(Request());
  ASSERT_TRUE(reply.ok()) << reply.status().ToString();
  EXPECT_EQ(reply->text, "MARIA PEREZ 1712345678");
  EXPECT_DOUBLE_EQ(reply->confidence, 0.9);
  EXPECT_EQ(reply->fields["full_name"].text, "MARIA PEREZ");
  EXPECT_DOUBLE_EQ(reply->fields["full_name"].confidence, 0.95);
  EXPECT_TRUE(reply->fields["document_number"].is_null);
  std::string body = server_.requests().at(0).body;
  EXPECT_NE(body.find("\"url\":\"data:image/jpeg;base64,/9j/4C"), std::string::npos) << body;
  EXPECT_NE(body.find("\"strict\":true"), std::string::npos);
}

TEST_F(VisionOcrTest, AConfidenceOutsideZeroToOneIsNotUnderstood) {
  server_.Enqueue("/v1/chat/completions",
                  testing::ChatReply(R"({"text":"x","text_confidence":0.9,)"
                                     R"("fields":{"full_name":"A","document_number":"1"},)"
                                     R"("confidence":{"full_name":7,"document_number":0.5}})"));
  Result<OcrReply> reply = Provider()->Read(Request());
  EXPECT_EQ(reply.status().code(), StatusCode::kBadResponse);
  EXPECT_EQ(ledger_->Records().at(0).outcome, CallOutcome::kNotUnderstood);
}

}  // namespace
}  // namespace bot
