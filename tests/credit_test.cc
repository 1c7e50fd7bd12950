// Building blocks of the credit dialog: CURP, money, es-MX dates, encryption at rest, bureau.
#include "bot/credit.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "support/fake_bureau.h"

namespace bot {
namespace {

using std::chrono::day;
using std::chrono::month;
using std::chrono::year;
using std::chrono::year_month_day;

year_month_day Ymd(int y, unsigned m, unsigned d) {
  return year_month_day{year{y}, month{m}, day{d}};
}

// ---- CURP ----

// The check digit, recomputed here from RENAPO's definition, independently of the library.
int ReferenceCheckDigit(const std::string& s) {
  const std::string dict = "0123456789ABCDEFGHIJKLMN#OPQRSTUVWXYZ";  // '#' holds Ñ's place
  int sum = 0;
  for (int i = 0; i < 17; ++i) sum += static_cast<int>(dict.find(s[i])) * (18 - i);
  return (10 - sum % 10) % 10;
}

TEST(Curp, AcceptsPublishedAndHandVerifiedCurps) {
  struct Case {
    const char* curp;
    year_month_day birth;
    char sex;
    const char* state;
  } cases[] = {
      {"HEGG560427MVZRRL04", Ymd(1956, 4, 27), 'M', "VZ"},   // RENAPO's published sample
      {"LOOA531113HTCPBN07", Ymd(1953, 11, 13), 'H', "TC"},  // a widely published real CURP
      {"GOMC000101HDFNRRA7", Ymd(2000, 1, 1), 'H', "DF"},    // letter homoclave: born 2000+
      {"XEXX010101HNEXXXA4", Ymd(2001, 1, 1), 'H', "NE"},    // born abroad
      {"MAHJ280603MSPRRV09", Ymd(1928, 6, 3), 'M', "SP"},
      {"PEGJ040229MJCRNNB4", Ymd(2004, 2, 29), 'M', "JC"},   // leap day
      {"ROSA991231XOCDNT05", Ymd(1999, 12, 31), 'X', "OC"},  // non-binary marker
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.curp);
    EXPECT_EQ(CurpCheckDigit(c.curp), ReferenceCheckDigit(c.curp));
    CurpCheck check = ValidateCurp(c.curp, c.birth);
    EXPECT_TRUE(check.ok) << check.reason;
    EXPECT_EQ(check.reason, "");
    EXPECT_EQ(check.birth_date, c.birth);
    EXPECT_EQ(check.sex, c.sex);
    EXPECT_EQ(check.state, c.state);
  }
}

TEST(Curp, CheckDigitOfThePublishedSampleIsFour) {
  EXPECT_EQ(CurpCheckDigit("HEGG560427MVZRRL0"), 4);
  EXPECT_EQ(CurpCheckDigit("HEGG560427MVZRRL"), -1);   // too short
  EXPECT_EQ(CurpCheckDigit("hEGG560427MVZRRL0"), -1);  // outside the dictionary
}

TEST(Curp, RejectsBrokenVariantsWithTheFirstReason) {
  struct Case {
    const char* curp;
    const char* reason;
  } cases[] = {
      {"", "format"},
      {"HEGG560427MVZRRL0", "format"},    // 17 characters
      {"HEGG560427MVZRRL041", "format"},  // 19 characters
      {"hegg560427mvzrrl04", "format"},   // lower case
      {"HE1G560427MVZRRL04", "format"},   // digit among the name letters
      {"HEGG56O427MVZRRL04", "format"},   // letter O in the date
      {"HEGG560427FVZRRL04", "format"},   // sex neither H, M nor X
      {"HEGG560427MVZARL04", "format"},   // vowel where a consonant goes
      {"HEGG560427MVZRRL0A", "format"},   // check character not a digit
      {"HEGG560427MVZRR-04", "format"},   // homoclave neither digit nor letter
      {"HEGG560427MXXRRL04", "state"},
      {"HEGG560427MDDRRL04", "state"},
      {"HEGG561327MVZRRL04", "date"},  // month 13
      {"HEGG560431MVZRRL04", "date"},  // 31 April
      {"HEGG000229MVZRRL04", "date"},  // digit homoclave: 1900, not a leap year
      {"HEGG570229MVZRRL04", "date"},  // 1957 has no 29 February
      {"HEGG560427MVZRRL05", "check_digit"},
      {"HEGH560427MVZRRL04", "check_digit"},  // a name letter changed, digit kept
      {"HEGG560428MVZRRL04", "check_digit"},  // birth day changed, digit kept
      {"HEGG560427MVZRRLB4", "check_digit"},  // homoclave changed (now 2056), digit kept
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.curp);
    CurpCheck check = ValidateCurp(c.curp);
    EXPECT_FALSE(check.ok);
    EXPECT_EQ(check.reason, c.reason);
  }
}

// Mod 10 cannot catch every change: H→M at weight 8 and 0→A at weight 2 both add a multiple
// of 10, so the digit stays valid. The validator follows RENAPO; it does not claim more.
TEST(Curp, CheckDigitMissesChangesThatAddAMultipleOfTen) {
  EXPECT_TRUE(ValidateCurp("HEGG560427HVZRRL04").ok);
  EXPECT_TRUE(ValidateCurp("HEGG560427MVZRRLA4").ok);
}

TEST(Curp, RejectsABirthDateThatDoesNotMatch) {
  CurpCheck check = ValidateCurp("HEGG560427MVZRRL04", Ymd(1956, 4, 28));
  EXPECT_FALSE(check.ok);
  EXPECT_EQ(check.reason, "birth_date_mismatch");
  EXPECT_EQ(check.birth_date, Ymd(1956, 4, 27));
  // Same day and month a century later: the homoclave digit says 1900s.
  EXPECT_EQ(ValidateCurp("HEGG560427MVZRRL04", Ymd(2056, 4, 27)).reason, "birth_date_mismatch");
}

// ---- Money ----

TEST(Money, CommissionRoundsHalfUpToTheCentavo) {
  struct Case {
    int64_t amount, rate_bp, commission;
  } cases[] = {
      {500000, 1500, 75000},  // $5,000.00 at 15% = $750.00
      {100000, 1000, 10000}, {0, 1500, 0},
      {500000, 0, 0},        {1, 1500, 0},  // 0.15 centavo rounds down
      {3, 1500, 0},                         // 0.45
      {4, 1250, 1},                         // 0.50 exactly rounds up
      {333, 1500, 50},                      // 49.95 → 50
      {331, 1500, 50},                      // 49.65 → 50
      {329, 1500, 49},                      // 49.35 → 49
      {123457, 1234, 15235},                // 15234.5938 → 15235
      {1999999, 1, 200},                    // 199.9999 → 200
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.amount);
    Result<int64_t> commission = CommissionCentavos(c.amount, c.rate_bp);
    ASSERT_TRUE(commission.ok());
    EXPECT_EQ(*commission, c.commission);
  }
}

TEST(Money, CommissionRejectsNegativesAndOverflow) {
  EXPECT_EQ(CommissionCentavos(-1, 1500).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(CommissionCentavos(100, -1).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(CommissionCentavos(INT64_MAX / 2, 1500).status().code(), StatusCode::kInvalidArgument);
}

TEST(Money, QuoteAddsCommissionAndTermDays) {
  Result<LoanQuote> quote = MakeQuote(500000, 14, 1500, Ymd(2026, 11, 23));
  ASSERT_TRUE(quote.ok()) << quote.status().ToString();
  EXPECT_EQ(quote->amount, 500000);
  EXPECT_EQ(quote->term_days, 14);
  EXPECT_EQ(quote->commission, 75000);
  EXPECT_EQ(quote->total, 575000);
  EXPECT_EQ(quote->due_date, Ymd(2026, 12, 7));
  EXPECT_EQ(FormatPesos(quote->total), "$5,750.00");
  EXPECT_EQ(FormatDateEs(quote->due_date), "lunes 7 de diciembre");

  // Across a leap day and a year end.
  EXPECT_EQ(MakeQuote(100000, 30, 1000, Ymd(2028, 2, 15))->due_date, Ymd(2028, 3, 16));
  EXPECT_EQ(MakeQuote(100000, 7, 1000, Ymd(2026, 12, 28))->due_date, Ymd(2027, 1, 4));
}

TEST(Money, QuoteRejectsBadInputs) {
  EXPECT_FALSE(MakeQuote(0, 14, 1500, Ymd(2026, 11, 23)).ok());
  EXPECT_FALSE(MakeQuote(-100, 14, 1500, Ymd(2026, 11, 23)).ok());
  EXPECT_FALSE(MakeQuote(100, 0, 1500, Ymd(2026, 11, 23)).ok());
  EXPECT_FALSE(MakeQuote(100, 14, -5, Ymd(2026, 11, 23)).ok());
  EXPECT_FALSE(MakeQuote(100, 14, 1500, Ymd(2026, 2, 30)).ok());
  EXPECT_FALSE(MakeQuote(INT64_MAX - 10, 14, 1, Ymd(2026, 11, 23)).ok());
}

TEST(Money, FormatsPesosTheMexicanWay) {
  struct Case {
    int64_t centavos;
    const char* text;
  } cases[] = {
      {0, "$0.00"},
      {5, "$0.05"},
      {99, "$0.99"},
      {100, "$1.00"},
      {100000, "$1,000.00"},
      {575000, "$5,750.00"},
      {2000000, "$20,000.00"},
      {123456789, "$1,234,567.89"},
      {-1250, "-$12.50"},
      {INT64_MIN, "-$92,233,720,368,547,758.08"},
  };
  for (const Case& c : cases) EXPECT_EQ(FormatPesos(c.centavos), c.text);
}

// ---- Dates ----

TEST(DateEs, FormatsWeekdayDayAndMonthInSpanish) {
  struct Case {
    year_month_day date;
    const char* short_text;
    const char* long_text;
  } cases[] = {
      {Ymd(2026, 12, 7), "lunes 7 de diciembre", "lunes 7 de diciembre de 2026"},
      {Ymd(2026, 1, 1), "jueves 1 de enero", "jueves 1 de enero de 2026"},
      {Ymd(2024, 2, 29), "jueves 29 de febrero", "jueves 29 de febrero de 2024"},  // leap
      {Ymd(2000, 2, 29), "martes 29 de febrero", "martes 29 de febrero de 2000"},  // leap /400
      {Ymd(1900, 3, 1), "jueves 1 de marzo", "jueves 1 de marzo de 1900"},         // no leap /100
      {Ymd(2027, 4, 14), "miércoles 14 de abril", "miércoles 14 de abril de 2027"},
      {Ymd(2026, 5, 16), "sábado 16 de mayo", "sábado 16 de mayo de 2026"},
      {Ymd(2026, 6, 21), "domingo 21 de junio", "domingo 21 de junio de 2026"},
      {Ymd(2026, 7, 14), "martes 14 de julio", "martes 14 de julio de 2026"},
      {Ymd(2026, 8, 28), "viernes 28 de agosto", "viernes 28 de agosto de 2026"},
      {Ymd(2026, 9, 16), "miércoles 16 de septiembre", "miércoles 16 de septiembre de 2026"},
      {Ymd(2026, 10, 12), "lunes 12 de octubre", "lunes 12 de octubre de 2026"},
      {Ymd(2026, 11, 20), "viernes 20 de noviembre", "viernes 20 de noviembre de 2026"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(FormatDateEs(c.date), c.short_text);
    EXPECT_EQ(FormatDateEs(c.date, true), c.long_text);
  }
}

TEST(DateEs, WeekdaysAdvanceOneADayOverLeapYears) {
  const std::vector<std::string> names = {"domingo", "lunes",   "martes", "miércoles",
                                          "jueves",  "viernes", "sábado"};
  // 4 January 1970 was a Sunday; walk ten years, 2023–2032, two of them leap years.
  std::chrono::sys_days d = std::chrono::sys_days(Ymd(2023, 1, 1));
  size_t weekday = static_cast<size_t>((d - std::chrono::sys_days(Ymd(1970, 1, 4))).count() % 7);
  int leap_days = 0;
  for (; d < std::chrono::sys_days(Ymd(2033, 1, 1)); d += std::chrono::days(1), ++weekday) {
    year_month_day ymd{d};
    std::string text = FormatDateEs(ymd);
    ASSERT_EQ(text.rfind(names[weekday % 7] + " ", 0), 0u) << text;
    if (ymd.month() == month{2} && ymd.day() == day{29}) ++leap_days;
  }
  EXPECT_EQ(leap_days, 3);  // 2024, 2028, 2032
}

TEST(DateEs, InvalidDateFormatsAsEmpty) { EXPECT_EQ(FormatDateEs(Ymd(2026, 2, 29)), ""); }

// ---- Encryption at rest ----

std::string KeyOf(char fill) { return std::string(32, fill); }

TEST(Sealed, RoundTripsAndNamesItsKey) {
  Keyring keyring = {{"k1", KeyOf('a')}};
  const std::string report = "{\"score\":712,\"curp\":\"HEGG560427MVZRRL04\"}";
  Result<std::string> blob = Seal("k1", keyring["k1"], report);
  ASSERT_TRUE(blob.ok()) << blob.status().ToString();
  EXPECT_EQ(blob->size(), 2 + 2 + 12 + report.size() + 16);
  EXPECT_EQ((*blob)[0], 1);
  EXPECT_EQ(blob->substr(2, 2), "k1");
  EXPECT_EQ(blob->find("HEGG560427MVZRRL04"), std::string::npos);
  Result<std::string> opened = Open(keyring, *blob);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  EXPECT_EQ(*opened, report);
  // Random nonces: the same plaintext seals differently each time.
  EXPECT_NE(*Seal("k1", keyring["k1"], report), *blob);
  // Empty plaintext is fine too.
  EXPECT_EQ(*Open(keyring, *Seal("k1", keyring["k1"], "")), "");
}

TEST(Sealed, OldBlobsStillOpenAfterRotation) {
  Result<DataKeys> before = ParseDataKeys("k1:" + std::string(43, 'A') + "=");
  ASSERT_TRUE(before.ok()) << before.status().ToString();
  std::string old_blob = *Seal(before->active_id, before->keys.at("k1"), "old report");
  Result<DataKeys> after =
      ParseDataKeys("k2:" + std::string(42, 'B') + "A=,k1:" + std::string(43, 'A') + "=");
  ASSERT_TRUE(after.ok()) << after.status().ToString();
  EXPECT_EQ(after->active_id, "k2");
  std::string new_blob = *Seal(after->active_id, after->keys.at("k2"), "new report");
  EXPECT_EQ(*Open(after->keys, old_blob), "old report");
  EXPECT_EQ(*Open(after->keys, new_blob), "new report");
  // Once k1 is dropped, its blobs say which key is missing.
  Result<std::string> missing = Open({{"k2", after->keys.at("k2")}}, old_blob);
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_NE(missing.status().message().find("k1"), std::string::npos);
}

TEST(Sealed, WrongKeyFailsAuthentication) {
  std::string blob = *Seal("k1", KeyOf('a'), "secret");
  Result<std::string> opened = Open({{"k1", KeyOf('b')}}, blob);
  EXPECT_EQ(opened.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(opened.status().message().find("authentication failed"), std::string::npos);
}

TEST(Sealed, TamperingWithAnyByteFails) {
  Keyring keyring = {{"k1", KeyOf('a')}, {"k2", KeyOf('a')}};
  const std::string blob = *Seal("k1", keyring["k1"], "score 712");
  // Every byte: version, key id (even to another id holding the same key), nonce, ciphertext,
  // tag.
  for (size_t i = 0; i < blob.size(); ++i) {
    SCOPED_TRACE(i);
    std::string tampered = blob;
    tampered[i] = static_cast<char>(tampered[i] ^ (i == 3 ? 0x03 : 0x01));  // "k1" → "k2" at 3
    EXPECT_FALSE(Open(keyring, tampered).ok());
  }
  EXPECT_FALSE(Open(keyring, blob.substr(0, blob.size() - 1)).ok());  // truncated tag
  EXPECT_FALSE(Open(keyring, blob + "x").ok());                       // appended byte
  EXPECT_FALSE(Open(keyring, "").ok());
  EXPECT_FALSE(Open(keyring, blob.substr(0, 10)).ok());
}

TEST(Sealed, RejectsBadKeysAndIds) {
  EXPECT_EQ(Seal("k1", "short", "x").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Seal("", KeyOf('a'), "x").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Seal("k 1", KeyOf('a'), "x").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Seal(std::string(256, 'k'), KeyOf('a'), "x").status().code(),
            StatusCode::kInvalidArgument);
}

TEST(DataKeys, ParsesIdsAndBase64Keys) {
  // 32 bytes 0x00..0x1f in standard base64.
  const std::string b64 = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
  Result<DataKeys> keys = ParseDataKeys("2026-11_a:" + b64 + ", old:" + std::string(43, 'A') + "=");
  ASSERT_TRUE(keys.ok()) << keys.status().ToString();
  EXPECT_EQ(keys->active_id, "2026-11_a");
  ASSERT_EQ(keys->keys.size(), 2u);
  std::string expected;
  for (int i = 0; i < 32; ++i) expected += static_cast<char>(i);
  EXPECT_EQ(keys->keys.at("2026-11_a"), expected);
  EXPECT_EQ(keys->keys.at("old"), std::string(32, '\0'));
}

TEST(DataKeys, RejectsBadValues) {
  const std::string good = std::string(43, 'A') + "=";
  const std::vector<std::string> bad = {
      "",
      "   ",
      "k1",                                 // no colon
      ":" + good,                           // empty id
      "k 1:" + good,                        // space in id
      "k1:" + std::string(43, 'A'),         // missing padding
      "k1:" + std::string(42, 'A') + "*=",  // not base64
      "k1:AAAA",                            // 3 bytes
      "k1:" + std::string(44, 'A'),         // 33 bytes
      "k1:" + good + ",k1:" + good,         // duplicate id
      "k1:" + good + ",",                   // trailing empty entry
  };
  for (const std::string& value : bad) {
    SCOPED_TRACE(value);
    EXPECT_EQ(ParseDataKeys(value).status().code(), StatusCode::kInvalidArgument);
  }
}

// ---- Bureau ----

BureauRequest Applicant() {
  BureauRequest request;
  request.full_name = "Guadalupe Hernández García";
  request.curp = "HEGG560427MVZRRL04";
  request.birth_date = Ymd(1956, 4, 27);
  request.address = "Av. Díaz Mirón 123, Veracruz, Ver. \"Centro\"";
  return request;
}

class HttpsBureauTest : public ::testing::Test {
 protected:
  std::unique_ptr<BureauProvider> Bureau(
      std::string api_key = testing::FakeBureau::kApiKey,
      std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
    Result<std::unique_ptr<BureauProvider>> bureau =
        NewHttpsBureau({fake_.url(), std::move(api_key), timeout}, http_.get());
    EXPECT_TRUE(bureau.ok()) << bureau.status().ToString();
    return bureau.ok() ? std::move(bureau).value() : nullptr;
  }

  testing::FakeBureau fake_;
  std::unique_ptr<HttpClient> http_ = NewCurlHttpClient();
};

TEST_F(HttpsBureauTest, ReturnsTheScoreAndTheRawBody) {
  fake_.SetScore("HEGG560427MVZRRL04", 712);
  auto bureau = Bureau();
  ASSERT_NE(bureau, nullptr);
  Result<BureauReport> report = bureau->Check(Applicant());
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->score, 712);
  EXPECT_EQ(report->raw_body,
            "{\"score\":712,\"curp\":\"HEGG560427MVZRRL04\",\"folio\":\"F-000001\"}");
  // What went over the wire: the Bearer key and the applicant as JSON, quotes escaped.
  std::vector<testing::FakeBureau::Request> requests = fake_.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].authorization, "Bearer bureau-test-key");
  EXPECT_EQ(requests[0].body,
            "{\"name\":\"Guadalupe Hernández García\",\"curp\":\"HEGG560427MVZRRL04\","
            "\"birth_date\":\"1956-04-27\",\"address\":\"Av. Díaz Mirón 123, Veracruz, Ver. "
            "\\\"Centro\\\"\"}");
}

TEST_F(HttpsBureauTest, MapsFailuresToStatusCodes) {
  auto bureau = Bureau();
  ASSERT_NE(bureau, nullptr);
  EXPECT_EQ(bureau->Check(Applicant()).status().code(), StatusCode::kNotFound);  // no record
  fake_.SetScore("HEGG560427MVZRRL04", 640);
  fake_.FailNext(1, 500);
  fake_.FailNext(1, 503);
  fake_.FailNext(1, 400);
  EXPECT_EQ(bureau->Check(Applicant()).status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(bureau->Check(Applicant()).status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(bureau->Check(Applicant()).status().code(), StatusCode::kBadResponse);
  EXPECT_EQ(bureau->Check(Applicant())->score, 640);  // the script is used up
}

TEST_F(HttpsBureauTest, RefusedKeyIsAnInvalidArgument) {
  fake_.SetScore("HEGG560427MVZRRL04", 712);
  auto bureau = Bureau("wrong-key");
  ASSERT_NE(bureau, nullptr);
  Result<BureauReport> report = bureau->Check(Applicant());
  EXPECT_EQ(report.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(report.status().message().find("401"), std::string::npos);
}

TEST_F(HttpsBureauTest, SilentBureauTimesOut) {
  fake_.SetScore("HEGG560427MVZRRL04", 712);
  fake_.HangNext(1);
  auto bureau = Bureau(testing::FakeBureau::kApiKey, std::chrono::milliseconds(200));
  ASSERT_NE(bureau, nullptr);
  EXPECT_EQ(bureau->Check(Applicant()).status().code(), StatusCode::kTimeout);
  EXPECT_EQ(bureau->Check(Applicant())->score, 712);  // a new connection, answered
}

TEST_F(HttpsBureauTest, UnreachableBureauIsUnavailable) {
  int port = 0;
  {
    testing::FakeBureau gone;
    port = std::stoi(gone.url().substr(gone.url().rfind(':') + 1));
  }
  Result<std::unique_ptr<BureauProvider>> bureau = NewHttpsBureau(
      {"http://127.0.0.1:" + std::to_string(port) + "/v1/score", "k", std::chrono::seconds(2)},
      http_.get());
  ASSERT_TRUE(bureau.ok());
  EXPECT_EQ((*bureau)->Check(Applicant()).status().code(), StatusCode::kUnavailable);
}

TEST(HttpsBureau, RejectsBadConfiguration) {
  std::unique_ptr<HttpClient> http = NewCurlHttpClient();
  const std::chrono::milliseconds t(1000);
  EXPECT_TRUE(NewHttpsBureau({"https://bureau.example.mx/v1/score", "k", t}, http.get()).ok());
  EXPECT_TRUE(NewHttpsBureau({"http://localhost:8080/v1/score", "k", t}, http.get()).ok());
  struct Case {
    HttpsBureauOptions options;
    HttpClient* http;
  } cases[] = {
      {{"http://bureau.example.mx/v1/score", "k", t}, http.get()},  // clear text off-host
      {{"http://127.0.0.1.example.mx/v1", "k", t}, http.get()},
      {{"ftp://bureau.example.mx", "k", t}, http.get()},
      {{"https://", "k", t}, http.get()},
      {{"https://bureau.example.mx", "", t}, http.get()},
      {{"https://bureau.example.mx", "k", std::chrono::milliseconds(0)}, http.get()},
      {{"https://bureau.example.mx", "k", t}, nullptr},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.options.url);
    EXPECT_EQ(NewHttpsBureau(c.options, c.http).status().code(), StatusCode::kInvalidArgument);
  }
}

}  // namespace
}  // namespace bot
