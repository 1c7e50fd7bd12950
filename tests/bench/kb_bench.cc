// The offers catalogue at 10,000 offers: how long an import takes and how fast a question is
// searched (p50 / p99 over the question set, without embeddings). Prints its figures; run by
// hand (built by CI):  build/tests/kb_bench
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "bot/sqlite_knowledge.h"

namespace {

namespace fs = std::filesystem;
constexpr const char* kNumber = "whatsapp:+14155238886";
constexpr int kOffers = 10000;

// A deterministic catalogue built from the fixture's vocabulary: every zone, type, feature and
// price range appears, in many combinations.
std::string WriteCatalogue(const fs::path& file) {
  const std::vector<std::string> zones = {
      "Polanco",  "Condesa",  "Roma Norte", "Del Valle",  "Narvarte",
      "Santa Fe", "Coyoacán", "Nápoles",    "Escandón",   "Lomas de Chapultepec",
      "Tlalpan",  "Juárez",   "Anzures",    "Cuauhtémoc", "Insurgentes"};
  const std::vector<std::string> types = {"departamento", "casa", "terreno", "oficina", "local"};
  const std::vector<std::string> features = {"cochera para 2 autos",
                                             "elevador",
                                             "terraza",
                                             "seguridad 24 horas",
                                             "alberca",
                                             "gimnasio",
                                             "acepta mascotas",
                                             "amueblado",
                                             "roof garden",
                                             "jardín",
                                             "bodega",
                                             "cuarto de servicio",
                                             "estudio",
                                             "balcón",
                                             "lavandería",
                                             "chimenea",
                                             "vista al parque",
                                             "cerca del metro",
                                             "mantenimiento $2,500 al mes",
                                             "internet incluido"};
  std::ofstream out(file);
  out << "id,title,operation,zone,type,price,currency,bedrooms,features,description,link\n";
  uint64_t seed = 42;
  auto next = [&seed] {
    seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<uint32_t>(seed >> 33);
  };
  for (int i = 0; i < kOffers; ++i) {
    const std::string& zone = zones[next() % zones.size()];
    const std::string& type = types[next() % types.size()];
    const bool rent = next() % 3 == 0;
    const int64_t price = rent ? 8000 + next() % 90000 : 1500000 + next() % 30000000;
    std::string feats;
    for (int f = 0; f < 4; ++f) {
      if (f > 0) feats += ";";
      feats += features[next() % features.size()];
    }
    out << "B" << i << ",\"" << (type == "casa" ? "Casa" : "Propiedad") << " en " << zone << " "
        << i << "\"," << (rent ? "renta" : "venta") << "," << zone << "," << type << "," << price
        << ",MXN," << next() % 5 << ",\"" << feats << "\",\"Propiedad número " << i
        << " con buena luz y acabados\",https://example.mx/b" << i << "\n";
  }
  return file.string();
}

std::vector<std::string> Questions() {
  std::vector<std::string> out;
  std::ifstream in(std::string(BOT_SOURCE_DIR) + "/tests/data/kb_questions.tsv");
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line[0] != '#') out.push_back(line.substr(0, line.find('\t')));
  }
  return out;
}

struct Rig {
  Rig() {
    dir = fs::temp_directory_path() / ("kb_bench_" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir);
    catalogue = WriteCatalogue(dir / "offers.csv");
    auto opened = bot::SqliteKnowledgeBase::Open((dir / "bench.db").string());
    if (!opened.ok()) throw std::runtime_error(opened.status().ToString());
    kb = std::move(*opened);
  }
  ~Rig() {
    kb.reset();
    fs::remove_all(dir);
  }
  fs::path dir;
  std::string catalogue;
  std::unique_ptr<bot::SqliteKnowledgeBase> kb;
};

void BM_Import10k(benchmark::State& state) {
  std::unique_ptr<Rig> rig;
  for (auto _ : state) {
    state.PauseTiming();  // a fresh database each time; neither set-up nor clean-up is timed
    rig.reset();
    rig = std::make_unique<Rig>();
    state.ResumeTiming();
    auto report = rig->kb->ImportOffers(kNumber, rig->catalogue);
    if (!report.ok() || !report->errors.empty()) state.SkipWithError("import failed");
  }

  state.counters["offers"] = kOffers;
}
BENCHMARK(BM_Import10k)->Unit(benchmark::kMillisecond)->Iterations(3);

// Every question of the set, with and without the conversation's filters; p50/p99 as counters.
void BM_Search10k(benchmark::State& state) {
  Rig rig;
  if (!rig.kb->ImportOffers(kNumber, rig.catalogue).ok()) state.SkipWithError("import failed");
  const std::vector<std::string> questions = Questions();
  std::vector<double> micros;
  size_t i = 0;
  for (auto _ : state) {
    bot::OfferQuery query;
    query.text = questions[i % questions.size()];
    if (state.range(0) == 1) {  // a qualified lead's filters
      query.operation = "venta";
      query.max_price_cents = 1000000000;
      query.min_bedrooms = 2;
    }
    ++i;
    auto start = std::chrono::steady_clock::now();
    auto found = rig.kb->Search(kNumber, query);
    micros.push_back(
        std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start)
            .count());
    benchmark::DoNotOptimize(found);
  }
  std::sort(micros.begin(), micros.end());
  state.counters["p50_us"] = micros[micros.size() / 2];
  state.counters["p99_us"] = micros[micros.size() * 99 / 100];
  state.counters["max_us"] = micros.back();
}
BENCHMARK(BM_Search10k)->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond)->Iterations(6500);

}  // namespace

BENCHMARK_MAIN();
