// The Twilio channel: forms, signatures (every official vector), TwiML, the REST sender and
// media downloads against the fake Twilio on 127.0.0.1.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "bot/twilio.h"

namespace bot {
namespace {

// ---- Forms ----

struct FormCase {
  const char* body;
  FormParams expected;
};

TEST(TwilioForm, DecodesPlusPercentAndEmptyPieces) {
  const FormCase kCases[] = {
      {"", {}},
      {"a=1", {{"a", "1"}}},
      {"Body=Hola+%F0%9F%91%8B", {{"Body", "Hola \xF0\x9F\x91\x8B"}}},
      {"From=whatsapp%3A%2B5491100000000", {{"From", "whatsapp:+5491100000000"}}},
      {"ProfileName=Mar%C3%ADa&WaId=5491100000000",
       {{"ProfileName", "Mar\xC3\xAD" "a"}, {"WaId", "5491100000000"}}},
      {"a=1&&b=2&", {{"a", "1"}, {"b", "2"}}},
      {"flag&x=", {{"flag", ""}, {"x", ""}}},
      {"k=a%3Db=c", {{"k", "a=b=c"}}},
      {"Digits=1&Digits=2", {{"Digits", "1"}, {"Digits", "2"}}},
      {"%2b=%2B", {{"+", "+"}}},
      {"a+b=c+d", {{"a b", "c d"}}},
  };
  for (const FormCase& c : kCases) {
    Result<FormParams> parsed = ParseForm(c.body);
    ASSERT_TRUE(parsed.ok()) << c.body << ": " << parsed.status().ToString();
    EXPECT_EQ(*parsed, c.expected) << c.body;
  }
}

TEST(TwilioForm, RejectsMalformedEscapes) {
  for (const char* body : {"a=%G1", "a=%", "a=%4", "%zz=1", "a=1&b=%0", "a=%%41"}) {
    Result<FormParams> parsed = ParseForm(body);
    ASSERT_FALSE(parsed.ok()) << body;
    EXPECT_EQ(parsed.status().code(), StatusCode::kInvalidArgument) << body;
  }
}

TEST(TwilioForm, EncodeRoundTripsThroughParse) {
  FormParams params = {{"To", "whatsapp:+5491100000000"},
                       {"Body", "Hola 👋 & adiós = 100%"},
                       {"ContentVariables", R"({"1":"María"})"},
                       {"empty", ""}};
  std::string encoded = FormEncode(params);
  EXPECT_EQ(encoded.find(' '), std::string::npos);
  EXPECT_NE(encoded.find("To=whatsapp%3A%2B5491100000000"), std::string::npos) << encoded;
  Result<FormParams> parsed = ParseForm(encoded);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(*parsed, params);
}

// ---- Signatures ----

const FormParams kOfficialParams = {{"CallSid", "CA1234567890ABCDE"},
                                    {"Caller", "+14158675309"},
                                    {"Digits", "1234"},
                                    {"From", "+14158675309"},
                                    {"To", "+18005551212"}};

struct VectorCase {
  const char* url;
  const char* signature;
};

TEST(TwilioSignature, ComputesEveryOfficialVector) {
  const VectorCase kCases[] = {
      {"https://mycompany.com/myapp.php?foo=1&bar=2", "RSOYDt4T1cUTdK1PDd93/VVr8B8="},
      {"https://mycompany.com:443/myapp.php?foo=1&bar=2", "kvajT1Ptam85bY51eRf/AJRuM3w="},
      {"http://mycompany.com:80/myapp.php?foo=1&bar=2", "0ZXoZLH/DfblKGATFgpif+LLRf4="},
      {"http://mycompany.com:1234/myapp.php?foo=1&bar=2", "Zmvh+3yNM1Phv2jhDCwEM3q5ebU="},
  };
  for (const VectorCase& c : kCases) {
    EXPECT_EQ(ComputeTwilioSignature("12345", c.url, kOfficialParams), c.signature) << c.url;
  }
}

TEST(TwilioSignature, ValidatesWithOrWithoutTheDefaultPort) {
  const VectorCase kCases[] = {
      // A signature over the port-less URL validates the same request seen with :443 ...
      {"https://mycompany.com/myapp.php?foo=1&bar=2", "RSOYDt4T1cUTdK1PDd93/VVr8B8="},
      {"https://mycompany.com:443/myapp.php?foo=1&bar=2", "RSOYDt4T1cUTdK1PDd93/VVr8B8="},
      // ... and a signature over the URL with the default port validates the port-less URL.
      {"https://mycompany.com/myapp.php?foo=1&bar=2", "kvajT1Ptam85bY51eRf/AJRuM3w="},
      {"http://mycompany.com/myapp.php?foo=1&bar=2", "0ZXoZLH/DfblKGATFgpif+LLRf4="},
      {"http://mycompany.com:80/myapp.php?foo=1&bar=2", "0ZXoZLH/DfblKGATFgpif+LLRf4="},
      // Any port is stripped: a port-less signature holds for a non-standard port too.
      {"https://mycompany.com:1234/myapp.php?foo=1&bar=2", "RSOYDt4T1cUTdK1PDd93/VVr8B8="},
      {"http://mycompany.com:1234/myapp.php?foo=1&bar=2", "Zmvh+3yNM1Phv2jhDCwEM3q5ebU="},
      // User info and the connection-override fragment are not signed.
      {"https://user:pass@mycompany.com/myapp.php?foo=1&bar=2", "RSOYDt4T1cUTdK1PDd93/VVr8B8="},
      {"https://mycompany.com/myapp.php?foo=1&bar=2#rc=2&rt=5000", "RSOYDt4T1cUTdK1PDd93/VVr8B8="},
  };
  for (const VectorCase& c : kCases) {
    EXPECT_TRUE(ValidateTwilioSignature("12345", c.url, kOfficialParams, c.signature))
        << c.url << " " << c.signature;
  }
}

TEST(TwilioSignature, MatchesTheDocsWalkThrough) {
  FormParams params = kOfficialParams;
  for (auto& [name, value] : params) {
    if (name == "From" || name == "Caller") value = "+14158675310";
  }
  EXPECT_EQ(ComputeTwilioSignature("12345", "https://example.com/myapp.php?foo=1&bar=2", params),
            "L/OH5YylLD5NRKLltdqwSvS0BnU=");
}

TEST(TwilioSignature, DeduplicatesAndSortsRepeatedKeys) {
  FormParams params = {{"Sid", "CA123"}, {"SidAccount", "AC123"}, {"Digits", "5678"},
                       {"Digits", "1234"}, {"Digits", "1234"}};
  const char* kUrl = "https://mycompany.com/myapp.php?foo=1&bar=2";
  EXPECT_EQ(ComputeTwilioSignature("12345", kUrl, params), "IK+Dwps556ElfBT0I3Rgjkr1wJU=");
  EXPECT_TRUE(ValidateTwilioSignature("12345", kUrl, params, "IK+Dwps556ElfBT0I3Rgjkr1wJU="));
}

const FormParams kWorkedExample = {{"AccountSid", "AC00000000000000000000000000000000"},
                                   {"Body", "Hola 👋"},
                                   {"From", "whatsapp:+5491100000000"},
                                   {"MessageSid", "SM00000000000000000000000000000001"},
                                   {"NumMedia", "0"},
                                   {"ProfileName", "María"},
                                   {"To", "whatsapp:+14155238886"},
                                   {"WaId", "5491100000000"}};
const char kWorkedToken[] = "0123456789abcdef0123456789abcdef";

TEST(TwilioSignature, MatchesTheWorkedWhatsAppExample) {
  EXPECT_EQ(ComputeTwilioSignature(kWorkedToken, "https://bot.example.com/twilio/inbound",
                                   kWorkedExample),
            "jgITQHspYXnd/OMDfycS87/EYr8=");
  EXPECT_EQ(ComputeTwilioSignature(kWorkedToken, "https://bot.example.com:443/twilio/inbound",
                                   kWorkedExample),
            "TCaO8ditP8YJSZ4nS+zZGAUCL0c=");
  for (const char* signature : {"jgITQHspYXnd/OMDfycS87/EYr8=", "TCaO8ditP8YJSZ4nS+zZGAUCL0c="}) {
    EXPECT_TRUE(ValidateTwilioSignature(kWorkedToken, "https://bot.example.com/twilio/inbound",
                                        kWorkedExample, signature));
  }
}

TEST(TwilioSignature, ValidatesTheWorkedExampleFromTheRawBody) {
  Result<FormParams> params = ParseForm(
      "MessageSid=SM00000000000000000000000000000001&AccountSid=AC00000000000000000000000000000000"
      "&From=whatsapp%3A%2B5491100000000&To=whatsapp%3A%2B14155238886&Body=Hola+%F0%9F%91%8B"
      "&NumMedia=0&ProfileName=Mar%C3%ADa&WaId=5491100000000");
  ASSERT_TRUE(params.ok());
  EXPECT_TRUE(ValidateTwilioSignature(kWorkedToken, "https://bot.example.com/twilio/inbound",
                                      *params, "jgITQHspYXnd/OMDfycS87/EYr8="));
}

TEST(TwilioSignature, RejectsForgedAndTamperedRequests) {
  const char* kUrl = "https://bot.example.com/twilio/inbound";
  const char* kGood = "jgITQHspYXnd/OMDfycS87/EYr8=";
  FormParams body_changed = kWorkedExample;
  body_changed[1].second = "Hola";
  FormParams param_added = kWorkedExample;
  param_added.emplace_back("Extra", "1");
  FormParams param_dropped(kWorkedExample.begin() + 1, kWorkedExample.end());
  EXPECT_FALSE(ValidateTwilioSignature(kWorkedToken, kUrl, body_changed, kGood));
  EXPECT_FALSE(ValidateTwilioSignature(kWorkedToken, kUrl, param_added, kGood));
  EXPECT_FALSE(ValidateTwilioSignature(kWorkedToken, kUrl, param_dropped, kGood));
  EXPECT_FALSE(ValidateTwilioSignature("fedcba9876543210fedcba9876543210", kUrl, kWorkedExample,
                                       kGood));
  EXPECT_FALSE(ValidateTwilioSignature(kWorkedToken, "https://bot.example.com/twilio/inbound/",
                                       kWorkedExample, kGood));
  EXPECT_FALSE(ValidateTwilioSignature(kWorkedToken, "http://bot.example.com/twilio/inbound",
                                       kWorkedExample, kGood));
  EXPECT_FALSE(ValidateTwilioSignature(kWorkedToken, "https://bot.example.com:8443/twilio/inbound",
                                       kWorkedExample, "TCaO8ditP8YJSZ4nS+zZGAUCL0c="));
  EXPECT_FALSE(ValidateTwilioSignature(kWorkedToken, kUrl, kWorkedExample, ""));
  EXPECT_FALSE(ValidateTwilioSignature(kWorkedToken, kUrl, kWorkedExample, "jgITQHspYXnd"));
  EXPECT_FALSE(ValidateTwilioSignature(kWorkedToken, kUrl, kWorkedExample,
                                       "jgITQHspYXnd/OMDfycS87/EYr9="));
  EXPECT_FALSE(ValidateTwilioSignature("", kUrl, kWorkedExample, kGood));
}

// ---- JSON bodies (bodySHA256) ----

TEST(TwilioSignature, ValidatesTheOfficialJsonBodyVector) {
  const std::string body = R"({"property": "value", "boolean": true})";
  EXPECT_EQ(Sha256Hex(body), "0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620");
  const std::string url = "https://mycompany.com/myapp.php?foo=1&bar=2&bodySHA256=" + Sha256Hex(body);
  EXPECT_EQ(ComputeTwilioSignature("12345", url, {}), "a9nBmqA0ju/hNViExpshrM61xv4=");
  EXPECT_TRUE(ValidateTwilioJsonSignature("12345", url, body, "a9nBmqA0ju/hNViExpshrM61xv4="));
  // The body must be the one hashed, even when the signature over the URL is right.
  EXPECT_FALSE(ValidateTwilioJsonSignature("12345", url, R"({"property": "value"})",
                                           "a9nBmqA0ju/hNViExpshrM61xv4="));
  EXPECT_FALSE(ValidateTwilioJsonSignature("12345", "https://mycompany.com/myapp.php?foo=1&bar=2",
                                           body, "a9nBmqA0ju/hNViExpshrM61xv4="));
}

TEST(TwilioSignature, EmptyJsonBodyVectorMatchesOnlyThePort443Variant) {
  const std::string body = "{}";
  EXPECT_EQ(Sha256Hex(body).substr(0, 8), "44136fa3");
  const std::string url = "https://mycompany.com/myapp.php?foo=1&bar=2&bodySHA256=" + Sha256Hex(body);
  const std::string url443 =
      "https://mycompany.com:443/myapp.php?foo=1&bar=2&bodySHA256=" + Sha256Hex(body);
  EXPECT_NE(ComputeTwilioSignature("12345", url, {}), "Ldidvp12m26NI7eqEvxnEpkd9Hc=");
  EXPECT_EQ(ComputeTwilioSignature("12345", url443, {}), "Ldidvp12m26NI7eqEvxnEpkd9Hc=");
  EXPECT_TRUE(ValidateTwilioJsonSignature("12345", url, body, "Ldidvp12m26NI7eqEvxnEpkd9Hc="));
  EXPECT_FALSE(ValidateTwilioJsonSignature("12345", url, "{ }", "Ldidvp12m26NI7eqEvxnEpkd9Hc="));
}

// ---- TwiML ----

TEST(TwilioTwiml, RendersOneMessagePerReplyEscaped) {
  EXPECT_EQ(RenderTwiml({}), R"(<?xml version="1.0" encoding="UTF-8"?><Response></Response>)");
  EXPECT_EQ(RenderTwiml({"¡Hola! 👋"}),
            R"(<?xml version="1.0" encoding="UTF-8"?><Response><Message>¡Hola! 👋</Message></Response>)");
  EXPECT_EQ(RenderTwiml({"a < b & c > \"d\" 'e'", "línea 1\nlínea 2"}),
            R"(<?xml version="1.0" encoding="UTF-8"?><Response>)"
            R"(<Message>a &lt; b &amp; c &gt; &quot;d&quot; &apos;e&apos;</Message>)"
            "<Message>línea 1\nlínea 2</Message></Response>");
  EXPECT_EQ(RenderTwiml({std::string("x\x01y\x1Fz", 5)}),
            R"(<?xml version="1.0" encoding="UTF-8"?><Response><Message>xyz</Message></Response>)");
  EXPECT_EQ(RenderTwiml({"</Message><Redirect>http://evil</Redirect>"}).find("<Redirect>"),
            std::string::npos);
}

}  // namespace
}  // namespace bot

namespace bot {
namespace {

// ---- Backoff, error classes, status callbacks ----

TEST(TwilioBackoff, StaysWithinZeroAndTheExponentialCeiling) {
  using std::chrono::milliseconds;
  const milliseconds kBase(100), kCap(3000);
  struct Case {
    int attempt;
    double u;
    long long expected_ms;
  };
  const Case kCases[] = {
      {0, 0.0, 0},     {0, 0.5, 50},     {0, 0.999, 99},  {1, 0.5, 100},
      {3, 0.999, 799}, {4, 0.5, 800},    {4, 0.999, 1598}, {5, 0.999, 2997},
      {62, 0.5, 1500}, {1000, 0.5, 1500}, {-3, 0.5, 50},   {2, 1.7, 400},
  };
  for (const Case& c : kCases) {
    EXPECT_EQ(BackoffDelay(c.attempt, kBase, kCap, c.u).count(), c.expected_ms)
        << "attempt " << c.attempt << " u " << c.u;
  }
  for (int attempt = 0; attempt < 40; ++attempt) {
    for (double u = 0; u < 1; u += 0.07) {
      milliseconds d = BackoffDelay(attempt, kBase, kCap, u);
      EXPECT_GE(d.count(), 0);
      EXPECT_LT(d.count(), kCap.count());
    }
  }
}

TEST(TwilioErrors, ClassifiesPermanentAndRateLimitCodes) {
  for (const char* code : {"21211", "21610", "63003", "63016", "63014", "21617"}) {
    EXPECT_TRUE(IsPermanentTwilioError(code)) << code;
    EXPECT_FALSE(IsRetryableTwilioError(code)) << code;
  }
  for (const char* code : {"20429", "63018", "63017"}) {
    EXPECT_TRUE(IsRetryableTwilioError(code)) << code;
    EXPECT_FALSE(IsPermanentTwilioError(code)) << code;
  }
  EXPECT_FALSE(IsPermanentTwilioError(""));
}

TEST(TwilioStatusCallback, ReadsSidStatusAndErrorCode) {
  Result<FormParams> form = ParseForm(
      "AccountSid=AC1&From=whatsapp%3A%2B14155238886&MessageSid=SM1&MessageStatus=undelivered"
      "&ErrorCode=63016&ChannelPrefix=whatsapp");
  ASSERT_TRUE(form.ok());
  Result<TwilioStatusCallback> cb = ParseTwilioStatusCallback(*form);
  ASSERT_TRUE(cb.ok());
  EXPECT_EQ(cb->message_sid, "SM1");
  EXPECT_EQ(cb->message_status, "undelivered");
  EXPECT_EQ(cb->error_code, "63016");

  Result<TwilioStatusCallback> sms = ParseTwilioStatusCallback({{"MessageSid", "SM2"}, {"SmsStatus", "sent"}});
  ASSERT_TRUE(sms.ok());
  EXPECT_EQ(sms->message_status, "sent");
  EXPECT_EQ(sms->error_code, "");

  EXPECT_FALSE(ParseTwilioStatusCallback({{"MessageStatus", "sent"}}).ok());
  EXPECT_FALSE(ParseTwilioStatusCallback({{"MessageSid", "SM3"}}).ok());
}

}  // namespace
}  // namespace bot
