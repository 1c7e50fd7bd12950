// Local OCR with Tesseract, in its own library (CMake bot::ocr, the `ocr` component of
// find_package(libbot); pkg-config libbot-ocr) so that bot::bot does not need Tesseract.
#pragma once

#include <memory>
#include <string>

#include "bot/providers.h"

namespace bot {

struct TesseractConfig {
  std::string language = "spa";
  std::string datapath;  // "" = the system tessdata
};

// Local Tesseract: no network. Fields come from each SchemaField::pattern over the text; their
// confidence is the mean confidence of the words they span. Calls are serialised (one engine).
// InvalidArgument when the language data cannot be loaded.
Result<std::unique_ptr<OcrProvider>> NewTesseractOcrProvider(TesseractConfig config,
                                                             ProviderContext context);

}  // namespace bot
