// Reads an image with the local Tesseract OCR (bot::ocr, the `ocr` component of libbot) and
// prints the text and its confidence. Needs the Spanish language data (tesseract-ocr-spa).
//
//   embed_ocr <image>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include "bot/clock.h"
#include "bot/tesseract_ocr.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s <image>\n", argv[0]);
    return 2;
  }
  std::ifstream in(argv[1], std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "cannot open %s\n", argv[1]);
    return 1;
  }
  std::ostringstream bytes;
  bytes << in.rdbuf();

  bot::SystemClock clock;
  auto ocr = bot::NewTesseractOcrProvider({}, bot::ProviderContext{nullptr, &clock, nullptr, {}});
  if (!ocr.ok()) {
    std::fprintf(stderr, "%s\n", ocr.status().ToString().c_str());
    return 1;
  }
  bot::OcrRequest request;
  request.image = bytes.str();
  auto reply = (*ocr)->Read(request);
  if (!reply.ok()) {
    std::fprintf(stderr, "%s\n", reply.status().ToString().c_str());
    return 1;
  }
  std::printf("%s\n(confidence %.2f)\n", reply->text.c_str(), reply->confidence);
  return 0;
}
