// The Twilio channel: forms, signatures (every official vector), TwiML, the REST sender and
// media downloads against the fake Twilio on 127.0.0.1.
#include "bot/twilio.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <future>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "bot/testing/fake_sender.h"
#include "support/fake_twilio.h"

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
       {{"ProfileName",
         "Mar\xC3\xAD"
         "a"},
        {"WaId", "5491100000000"}}},
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
  FormParams params = {{"Sid", "CA123"},
                       {"SidAccount", "AC123"},
                       {"Digits", "5678"},
                       {"Digits", "1234"},
                       {"Digits", "1234"}};
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
  EXPECT_FALSE(
      ValidateTwilioSignature("fedcba9876543210fedcba9876543210", kUrl, kWorkedExample, kGood));
  EXPECT_FALSE(ValidateTwilioSignature(kWorkedToken, "https://bot.example.com/twilio/inbound/",
                                       kWorkedExample, kGood));
  EXPECT_FALSE(ValidateTwilioSignature(kWorkedToken, "http://bot.example.com/twilio/inbound",
                                       kWorkedExample, kGood));
  EXPECT_FALSE(ValidateTwilioSignature(kWorkedToken, "https://bot.example.com:8443/twilio/inbound",
                                       kWorkedExample, "TCaO8ditP8YJSZ4nS+zZGAUCL0c="));
  EXPECT_FALSE(ValidateTwilioSignature(kWorkedToken, kUrl, kWorkedExample, ""));
  EXPECT_FALSE(ValidateTwilioSignature(kWorkedToken, kUrl, kWorkedExample, "jgITQHspYXnd"));
  EXPECT_FALSE(
      ValidateTwilioSignature(kWorkedToken, kUrl, kWorkedExample, "jgITQHspYXnd/OMDfycS87/EYr9="));
  EXPECT_FALSE(ValidateTwilioSignature("", kUrl, kWorkedExample, kGood));
}

// ---- JSON bodies (bodySHA256) ----

TEST(TwilioSignature, ValidatesTheOfficialJsonBodyVector) {
  const std::string body = R"({"property": "value", "boolean": true})";
  EXPECT_EQ(Sha256Hex(body), "0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620");
  const std::string url =
      "https://mycompany.com/myapp.php?foo=1&bar=2&bodySHA256=" + Sha256Hex(body);
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
  const std::string url =
      "https://mycompany.com/myapp.php?foo=1&bar=2&bodySHA256=" + Sha256Hex(body);
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
  EXPECT_EQ(
      RenderTwiml({"¡Hola! 👋"}),
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
      {0, 0.0, 0},     {0, 0.5, 50},      {0, 0.999, 99},   {1, 0.5, 100},
      {3, 0.999, 799}, {4, 0.5, 800},     {4, 0.999, 1598}, {5, 0.999, 2997},
      {62, 0.5, 1500}, {1000, 0.5, 1500}, {-3, 0.5, 50},    {2, 1.7, 400},
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

  Result<TwilioStatusCallback> sms =
      ParseTwilioStatusCallback({{"MessageSid", "SM2"}, {"SmsStatus", "sent"}});
  ASSERT_TRUE(sms.ok());
  EXPECT_EQ(sms->message_status, "sent");
  EXPECT_EQ(sms->error_code, "");

  EXPECT_FALSE(ParseTwilioStatusCallback({{"MessageStatus", "sent"}}).ok());
  EXPECT_FALSE(ParseTwilioStatusCallback({{"MessageSid", "SM3"}}).ok());
}

}  // namespace
}  // namespace bot

namespace bot {
namespace {

// ---- The REST sender against the fake Twilio ----

using testing::FakeTwilio;

SendRequest TextTo(const std::string& to, const std::string& text) {
  SendRequest request;
  request.account = FakeTwilio::kAccountSid;
  request.from = "whatsapp:+14155238886";
  request.to = to;
  request.text = text;
  request.status_callback = "https://bot.example.com/twilio/status";
  return request;
}

TEST(TwilioSender, PostsTheMessageAndReportsTheSid) {
  FakeTwilio twilio;
  auto sender = NewTwilioSender(twilio.account());
  SendOutcome outcome =
      sender->SendAndWait(TextTo("whatsapp:+5491100000000", "¡Gracias, María! 👋 & adiós"));
  EXPECT_EQ(outcome.kind, SendOutcome::Kind::kSent) << outcome.error;
  EXPECT_EQ(outcome.http_status, 201);
  EXPECT_EQ(outcome.status, "queued");
  ASSERT_EQ(outcome.provider_id.size(), 34u);
  EXPECT_EQ(outcome.provider_id.substr(0, 2), "SM");
  ASSERT_EQ(twilio.message_count(), 1u);
  FakeTwilio::Message m = twilio.messages()[0];
  EXPECT_EQ(m.sid, outcome.provider_id);
  EXPECT_EQ(m.to, "whatsapp:+5491100000000");
  EXPECT_EQ(m.from, "whatsapp:+14155238886");
  EXPECT_EQ(m.body, "¡Gracias, María! 👋 & adiós");
  EXPECT_EQ(m.status_callback, "https://bot.example.com/twilio/status");
  EXPECT_EQ(m.content_sid, "");
}

TEST(TwilioSender, SendsATemplateWithoutABody) {
  FakeTwilio twilio;
  auto sender = NewTwilioSender(twilio.account());
  SendRequest request = TextTo("whatsapp:+5491100000000", "");
  request.content_sid = "HX00000000000000000000000000000001";
  request.content_variables = R"({"1":"María"})";
  request.status_callback.clear();
  SendOutcome outcome = sender->SendAndWait(request);
  ASSERT_EQ(outcome.kind, SendOutcome::Kind::kSent) << outcome.error;
  FakeTwilio::Message m = twilio.messages().at(0);
  EXPECT_EQ(m.content_sid, "HX00000000000000000000000000000001");
  EXPECT_EQ(m.content_variables, R"({"1":"María"})");
  for (const auto& [name, value] : m.params) {
    EXPECT_NE(name, "Body");
    EXPECT_NE(name, "StatusCallback");
  }
}

TEST(TwilioSender, ReusesOneConnectionForSequentialSends) {
  FakeTwilio twilio;
  auto sender = NewTwilioSender(twilio.account());
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(sender->SendAndWait(TextTo("whatsapp:+5491100000000", "n" + std::to_string(i))).kind,
              SendOutcome::Kind::kSent);
  }
  EXPECT_EQ(twilio.message_count(), 5u);
  EXPECT_EQ(twilio.connections(), 1u);
}

TEST(TwilioSender, IsSafeToShareBetweenThreads) {
  FakeTwilio twilio;
  auto sender = NewTwilioSender(twilio.account());
  std::vector<std::thread> threads;
  std::atomic<int> sent{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 10; ++i) {
        SendOutcome o =
            sender->SendAndWait(TextTo("whatsapp:+549110000000" + std::to_string(t), "hola"));
        if (o.kind == SendOutcome::Kind::kSent) ++sent;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(sent.load(), 40);
  ASSERT_TRUE(twilio.WaitForMessages(40, std::chrono::seconds(10)));
  std::set<std::string> sids;
  for (const auto& m : twilio.messages()) sids.insert(m.sid);
  EXPECT_EQ(sids.size(), 40u);
}

TEST(TwilioSender, KeepsManySendsInFlightAtOnce) {
  // The fake answers none until 16 wait at once: a sender that sends one at a time (or one per
  // thread of a small pool) would leave it waiting until the limit.
  FakeTwilio twilio;
  twilio.HoldMessagesUntilWaiting(16, std::chrono::seconds(20));
  std::mutex mu;
  std::condition_variable cv;
  std::vector<SendOutcome> outcomes;
  auto sender = NewTwilioSender(twilio.account());  // after what its callbacks use: gone first
  for (int i = 0; i < 16; ++i) {
    sender->Send(TextTo("whatsapp:+5491100000" + std::to_string(100 + i), "hola"),
                 [&](SendOutcome outcome) {
                   std::lock_guard<std::mutex> lock(mu);
                   outcomes.push_back(std::move(outcome));
                   cv.notify_all();
                 });
  }
  std::unique_lock<std::mutex> lock(mu);
  ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(30), [&] { return outcomes.size() == 16; }));
  for (const SendOutcome& outcome : outcomes) {
    EXPECT_EQ(outcome.kind, SendOutcome::Kind::kSent) << outcome.error;
  }
  EXPECT_EQ(twilio.most_waiting(), 16u);
  EXPECT_EQ(twilio.message_count(), 16u);
}

TEST(TwilioSender, RetriesAfterTooManyRequestsHonouringRetryAfter) {
  FakeTwilio twilio;
  twilio.FailNextWithTooManyRequests(1, 7);
  auto sender = NewTwilioSender(twilio.account());
  SendOutcome first = sender->SendAndWait(TextTo("whatsapp:+5491100000000", "hola"));
  EXPECT_EQ(first.kind, SendOutcome::Kind::kRetry);
  EXPECT_EQ(first.http_status, 429);
  EXPECT_EQ(first.error_code, "20429");
  ASSERT_TRUE(first.retry_after.has_value());
  EXPECT_EQ(*first.retry_after, std::chrono::seconds(7));
  EXPECT_EQ(twilio.message_count(), 0u);
  SendOutcome second = sender->SendAndWait(TextTo("whatsapp:+5491100000000", "hola"));
  EXPECT_EQ(second.kind, SendOutcome::Kind::kSent);
  EXPECT_EQ(twilio.message_requests(), 2u);
}

TEST(TwilioSender, RetriesServerErrorsWithoutRetryAfter) {
  FakeTwilio twilio;
  twilio.FailNextWithServerError(1);
  twilio.FailNext(1, {503, 0, "", -1});  // no JSON body at all
  auto sender = NewTwilioSender(twilio.account());
  for (int status : {500, 503}) {
    SendOutcome outcome = sender->SendAndWait(TextTo("whatsapp:+5491100000000", "hola"));
    EXPECT_EQ(outcome.kind, SendOutcome::Kind::kRetry);
    EXPECT_EQ(outcome.http_status, status);
    EXPECT_FALSE(outcome.retry_after.has_value());
    EXPECT_FALSE(outcome.error.empty());
  }
}

TEST(TwilioSender, StopsOnPermanentErrorsWithTwilioCode) {
  struct Case {
    int code;
    const char* message;
  };
  const Case kCases[] = {
      {21211, "The 'To' number whatsapp:+54 is not a valid phone number."},
      {21610, "Attempt to send to unsubscribed recipient"},
      {63016, "Failed to send freeform message because you are outside the allowed window."}};
  FakeTwilio twilio;
  auto sender = NewTwilioSender(twilio.account());
  for (const Case& c : kCases) {
    twilio.FailNextWithError(1, c.code, c.message);
    SendOutcome outcome = sender->SendAndWait(TextTo("whatsapp:+54", "hola"));
    EXPECT_EQ(outcome.kind, SendOutcome::Kind::kPermanent) << c.code;
    EXPECT_EQ(outcome.http_status, 400);
    EXPECT_EQ(outcome.error_code, std::to_string(c.code));
    EXPECT_EQ(outcome.error, c.message);
  }
}

TEST(TwilioSender, TreatsRateLimitCodesAsRetryableEvenOn400) {
  FakeTwilio twilio;
  twilio.FailNextWithError(1, 63018, "Rate limit exceeded for Channel Sender");
  auto sender = NewTwilioSender(twilio.account());
  SendOutcome outcome = sender->SendAndWait(TextTo("whatsapp:+5491100000000", "hola"));
  EXPECT_EQ(outcome.kind, SendOutcome::Kind::kRetry);
  EXPECT_EQ(outcome.error_code, "63018");
}

TEST(TwilioSender, ReportsTheFakesParameterChecksAsPermanent) {
  FakeTwilio twilio;
  auto sender = NewTwilioSender(twilio.account());
  SendOutcome no_to = sender->SendAndWait(TextTo("", "hola"));
  EXPECT_EQ(no_to.kind, SendOutcome::Kind::kPermanent);
  EXPECT_EQ(no_to.error_code, "21604");
  SendOutcome no_body = sender->SendAndWait(TextTo("whatsapp:+5491100000000", ""));
  EXPECT_EQ(no_body.kind, SendOutcome::Kind::kPermanent);
  EXPECT_EQ(no_body.error_code, "21602");
  SendOutcome too_long =
      sender->SendAndWait(TextTo("whatsapp:+5491100000000", std::string(1601, 'a')));
  EXPECT_EQ(too_long.error_code, "21617");
  EXPECT_EQ(twilio.message_count(), 0u);
}

TEST(TwilioSender, WrongTokenIsAPermanent401) {
  FakeTwilio twilio;
  TwilioAccount account = twilio.account();
  account.auth_token = "ffffffffffffffffffffffffffffffff";
  auto sender = NewTwilioSender(account);
  SendOutcome outcome = sender->SendAndWait(TextTo("whatsapp:+5491100000000", "hola"));
  EXPECT_EQ(outcome.kind, SendOutcome::Kind::kPermanent);
  EXPECT_EQ(outcome.http_status, 401);
  EXPECT_EQ(outcome.error_code, "20003");
  EXPECT_EQ(twilio.message_count(), 0u);
}

TEST(TwilioSender, RefusesAMessageForAnotherAccount) {
  FakeTwilio twilio;
  auto sender = NewTwilioSender(twilio.account());
  SendRequest request = TextTo("whatsapp:+5491100000000", "hola");
  request.account = "AC99999999999999999999999999999999";
  EXPECT_EQ(sender->SendAndWait(request).kind, SendOutcome::Kind::kPermanent);
  EXPECT_EQ(twilio.requests().size(), 0u);
}

TEST(TwilioSender, RetriesWhenNothingListens) {
  TwilioAccount account;
  {
    FakeTwilio closed;
    account = closed.account();
  }  // the port is closed now
  auto sender = NewTwilioSender(account, {std::chrono::milliseconds(5000)});
  SendOutcome outcome = sender->SendAndWait(TextTo("whatsapp:+5491100000000", "hola"));
  EXPECT_EQ(outcome.kind, SendOutcome::Kind::kRetry);
  EXPECT_EQ(outcome.http_status, 0);
  EXPECT_FALSE(outcome.error.empty());
}

}  // namespace
}  // namespace bot

namespace bot {
namespace {

// ---- bot::testing::FakeSender ----

TEST(FakeSender, AnswersFromItsScriptThenSucceeds) {
  testing::FakeSender sender;
  sender.ScriptRetries(1, std::chrono::seconds(2));
  sender.ScriptPermanent("21610");
  SendRequest request;
  request.to = "whatsapp:+5491100000000";
  request.text = "hola";
  SendOutcome retry = sender.SendAndWait(request);
  EXPECT_EQ(retry.kind, SendOutcome::Kind::kRetry);
  EXPECT_EQ(retry.retry_after, std::chrono::milliseconds(2000));
  SendOutcome permanent = sender.SendAndWait(request);
  EXPECT_EQ(permanent.kind, SendOutcome::Kind::kPermanent);
  EXPECT_EQ(permanent.error_code, "21610");
  SendOutcome sent1 = sender.SendAndWait(request);
  SendOutcome sent2 = sender.SendAndWait(request);
  EXPECT_EQ(sent1.kind, SendOutcome::Kind::kSent);
  EXPECT_NE(sent1.provider_id, sent2.provider_id);
  EXPECT_EQ(sent1.provider_id.size(), 34u);
  EXPECT_EQ(sender.request_count(), 4u);
  EXPECT_EQ(sender.sent().size(), 2u);
  EXPECT_TRUE(sender.WaitForSent(2, std::chrono::milliseconds(0)));
  EXPECT_FALSE(sender.WaitForSent(3, std::chrono::milliseconds(0)));
}

}  // namespace
}  // namespace bot

namespace bot {
namespace {

// ---- Media downloads ----

// A fresh directory per test, removed afterwards.
class TwilioMedia : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = (std::filesystem::temp_directory_path() /
            ("twilio_media_" + std::to_string(::getpid()) + "_" + info->name()))
               .string();
    std::filesystem::remove_all(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  size_t FilesInDir() const {
    if (!std::filesystem::exists(dir_)) return 0;
    size_t n = 0;
    for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(dir_)) ++n;
    return n;
  }

  static std::string ReadFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

  testing::FakeTwilio twilio_;
  std::unique_ptr<HttpClient> http_ = NewCurlHttpClient();
  std::string dir_;
};

TEST_F(TwilioMedia, SendsCredentialsToTheApiHostButNotAcrossTheRedirect) {
  const std::string bytes = "OggS\x00\x02 voice note bytes";
  std::string url = twilio_.AddMedia(bytes, "audio/ogg");
  Result<Media> media =
      DownloadMedia(*http_, url, "audio/ogg; codecs=opus", twilio_.account(), {}, dir_);
  ASSERT_TRUE(media.ok()) << media.status().ToString();
  EXPECT_EQ(media->url, url);
  EXPECT_EQ(media->content_type, "audio/ogg; codecs=opus");
  EXPECT_EQ(media->size, static_cast<int64_t>(bytes.size()));
  EXPECT_EQ(media->sha256, Sha256Hex(bytes));
  EXPECT_EQ(media->path, dir_ + "/" + Sha256Hex(bytes) + ".ogg");
  EXPECT_EQ(ReadFile(media->path), bytes);
  EXPECT_EQ(FilesInDir(), 1u);  // no temporary file left behind

  std::vector<testing::FakeTwilio::Request> requests = twilio_.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].host, "127.0.0.1:" + std::to_string(twilio_.port()));
  EXPECT_NE(requests[0].authorization, "");
  EXPECT_EQ(requests[0].status, 302);
  EXPECT_EQ(requests[1].host, "localhost:" + std::to_string(twilio_.port()));
  EXPECT_EQ(requests[1].target.substr(0, 5), "/cdn/");
  EXPECT_EQ(requests[1].authorization, "");  // the CDN never sees the token
  EXPECT_EQ(requests[1].status, 200);
}

TEST_F(TwilioMedia, DownloadsFromTheApiHostDirectly) {
  testing::FakeTwilio::MediaOptions direct;
  direct.redirect = false;
  std::string url = twilio_.AddMedia("\x89PNG fake", "image/png", direct);
  Result<Media> media = DownloadMedia(*http_, url, "image/png", twilio_.account(), {}, dir_);
  ASSERT_TRUE(media.ok()) << media.status().ToString();
  EXPECT_EQ(media->path.substr(media->path.size() - 4), ".png");
  ASSERT_EQ(twilio_.requests().size(), 1u);
  EXPECT_EQ(twilio_.requests()[0].status, 200);
}

TEST_F(TwilioMedia, NeverSendsCredentialsToAnotherHost) {
  std::string url = twilio_.AddMedia("bytes", "image/jpeg");
  // The same server under another name is not the configured API host: no Authorization, so
  // the fake answers 401 and the download fails.
  std::string elsewhere = url;
  elsewhere.replace(elsewhere.find("127.0.0.1"), 9, "localhost");
  Result<Media> media = DownloadMedia(*http_, elsewhere, "image/jpeg", twilio_.account(), {}, dir_);
  ASSERT_FALSE(media.ok());
  EXPECT_EQ(media.status().code(), StatusCode::kBadResponse);
  EXPECT_NE(media.status().message().find("401"), std::string::npos);
  ASSERT_EQ(twilio_.requests().size(), 1u);
  EXPECT_EQ(twilio_.requests()[0].authorization, "");
  EXPECT_EQ(FilesInDir(), 0u);
}

TEST_F(TwilioMedia, EnforcesTheImageLimitOfFiveMegabytes) {
  const int64_t kFiveMb = 5 * 1024 * 1024;
  std::string big(kFiveMb + 1, 'x');
  std::string image_url = twilio_.AddMedia(big, "image/jpeg");
  std::string audio_url = twilio_.AddMedia(big, "audio/ogg");
  Result<Media> image = DownloadMedia(*http_, image_url, "image/jpeg", twilio_.account(), {}, dir_);
  ASSERT_FALSE(image.ok());
  EXPECT_EQ(image.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(image.status().message().find(std::to_string(kFiveMb)), std::string::npos);
  EXPECT_EQ(FilesInDir(), 0u);
  // The same size is fine for audio, whose limit is 16 MB.
  Result<Media> audio = DownloadMedia(*http_, audio_url, "audio/ogg", twilio_.account(), {}, dir_);
  ASSERT_TRUE(audio.ok()) << audio.status().ToString();
  EXPECT_EQ(audio->size, kFiveMb + 1);
}

TEST_F(TwilioMedia, StopsAStreamWithoutContentLengthAtTheLimit) {
  testing::FakeTwilio::MediaOptions chunked;
  chunked.chunked = true;
  MediaLimits limits;
  limits.max_bytes = 1000;
  std::string over = twilio_.AddMedia(std::string(1001, 'a'), "application/pdf", chunked);
  std::string at = twilio_.AddMedia(std::string(1000, 'a'), "application/pdf", chunked);
  Result<Media> too_big =
      DownloadMedia(*http_, over, "application/pdf", twilio_.account(), limits, dir_);
  ASSERT_FALSE(too_big.ok());
  EXPECT_EQ(too_big.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(FilesInDir(), 0u);
  Result<Media> fits =
      DownloadMedia(*http_, at, "application/pdf", twilio_.account(), limits, dir_);
  ASSERT_TRUE(fits.ok()) << fits.status().ToString();
  EXPECT_EQ(fits->size, 1000);
  EXPECT_EQ(fits->path.substr(fits->path.size() - 4), ".pdf");
}

// A download holds no thread while it waits: the call returns at once, and a server that never
// sends the bytes costs the download its timeout, nothing more.
TEST_F(TwilioMedia, AHangingDownloadReturnsAtOnceAndTimesOut) {
  testing::FakeTwilio::MediaOptions hang;
  hang.hang = true;
  std::string url = twilio_.AddMedia("bytes", "image/jpeg", hang);
  MediaLimits limits;
  limits.timeout = std::chrono::milliseconds(300);
  std::promise<Result<Media>> promise;
  std::future<Result<Media>> future = promise.get_future();
  DownloadMediaAsync(*http_, url, "image/jpeg", twilio_.account(), limits, dir_,
                     [&](Result<Media> media) { promise.set_value(std::move(media)); });
  EXPECT_EQ(future.wait_for(std::chrono::seconds(0)), std::future_status::timeout)
      << "the call waited for the transfer";
  Result<Media> media = future.get();
  ASSERT_FALSE(media.ok());
  EXPECT_EQ(media.status().code(), StatusCode::kTimeout) << media.status().ToString();
  EXPECT_EQ(FilesInDir(), 0u);
}

TEST_F(TwilioMedia, ReportsMissingMediaAndBadUrls) {
  std::string url = twilio_.AddMedia("x", "image/jpeg");
  std::string missing = url.substr(0, url.rfind("/Media/")) + "/Media/ME0";
  Result<Media> not_found =
      DownloadMedia(*http_, missing, "image/jpeg", twilio_.account(), {}, dir_);
  ASSERT_FALSE(not_found.ok());
  EXPECT_EQ(not_found.status().code(), StatusCode::kBadResponse);
  Result<Media> bad =
      DownloadMedia(*http_, "file:///etc/passwd", "text/plain", twilio_.account(), {}, dir_);
  ASSERT_FALSE(bad.ok());
  Result<Media> garbage =
      DownloadMedia(*http_, "not a url", "text/plain", twilio_.account(), {}, dir_);
  ASSERT_FALSE(garbage.ok());
  EXPECT_EQ(garbage.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(FilesInDir(), 0u);
}

}  // namespace
}  // namespace bot
