// Anchor for the test_support library (shared fakes and helpers live beside this file).
