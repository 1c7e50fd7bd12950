#!/usr/bin/python3
"""The web console in a real browser (issue 17).

Runs tests/browser/console_harness (the real botrunner with its admin listener and a fake Twilio
on 127.0.0.1) and drives headless Chromium through Selenium: a user is handed off through a signed
webhook, the agent logs in, sees the conversation, reads a message that looks like HTML as text
(no alert fires), claims it, replies (the fake Twilio receives the reply), releases it, and the
bot answers the user's next message. Saves a screenshot of the console.

usage: console_test.py <console_harness> <screenshot.png>
"""
import json
import subprocess
import sys

from selenium import webdriver
from selenium.common.exceptions import NoAlertPresentException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

USER = "whatsapp:+5215512345678"
XSS = "<img src=x onerror=alert(1)>"
REPLY = "Hola, soy Ana de la mesa. ¿En qué le ayudo?"


class Harness:
    def __init__(self, path):
        self.proc = subprocess.Popen([path], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     text=True, bufsize=1)
        ready = self.proc.stdout.readline().split()
        assert ready and ready[0] == "ready", f"the harness did not start: {ready}"
        self.port, self.token = int(ready[1]), ready[2]

    def ask(self, line):
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()
        return self.proc.stdout.readline().rstrip("\n")

    def say(self, text):
        answer = self.ask(f"say {USER} {text}")
        assert answer == "said 200", answer

    def wait_sent(self, n):
        """Waits until the fake Twilio received n messages; (count, last body)."""
        _, count, last = self.ask(f"wait_sent {n}").split(" ", 2)
        return int(count), json.loads(last)

    def stop(self):
        if self.proc.poll() is None:
            self.ask("quit")
            self.proc.wait(timeout=30)


def no_alert(driver):
    try:
        text = driver.switch_to.alert.text
    except NoAlertPresentException:
        return
    raise AssertionError(f"a dialog fired: {text!r}")


def main(harness_path, screenshot):
    harness = Harness(harness_path)
    options = webdriver.ChromeOptions()
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                 "--window-size=1280,800", "--lang=es"):
        options.add_argument(flag)
    options.binary_location = "/usr/bin/chromium"
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    wait = WebDriverWait(driver, 15)
    try:
        # The user talks to the bot, asks for a person, then writes something that looks like HTML.
        harness.say("Hola")
        sent, _ = harness.wait_sent(1)
        assert sent >= 1, "the bot did not answer"
        harness.say("asesor")
        sent, _ = harness.wait_sent(sent + 1)
        harness.say(XSS)

        base = f"http://127.0.0.1:{harness.port}/admin/"
        driver.get(base)
        wait.until(ec.visibility_of_element_located((By.ID, "token")))
        driver.find_element(By.ID, "token").send_keys("wrong-token")
        driver.find_element(By.CSS_SELECTOR, "#login-form button").click()
        wait.until(ec.text_to_be_present_in_element((By.ID, "login-error"), "unknown token"))
        driver.find_element(By.ID, "token").clear()
        driver.find_element(By.ID, "token").send_keys(harness.token)
        driver.find_element(By.CSS_SELECTOR, "#login-form button").click()
        wait.until(ec.text_to_be_present_in_element((By.ID, "agent"), "ana"))
        cookies = {c["name"]: c for c in driver.get_cookies()}
        session = cookies["botrunner_session"]
        assert session["httpOnly"] and session["sameSite"] == "Strict", session
        assert driver.execute_script("return document.cookie") == "", "the cookie is readable by JS"

        # The inbox shows the conversation waiting; it opens as a chat.
        item = wait.until(ec.element_to_be_clickable((By.CSS_SELECTOR, "#inbox .inbox-item")))
        assert USER in item.text and "waiting" in item.text, item.text
        item.click()
        wait.until(ec.text_to_be_present_in_element((By.ID, "transcript"), "asesor"))
        texts = [e.get_attribute("textContent")
                 for e in driver.find_elements(By.CSS_SELECTOR, "#transcript .text")]
        assert XSS in texts, texts
        assert not driver.find_elements(By.CSS_SELECTOR, "#transcript img:not(.media-image)"), \
            "the user's text became an element"
        no_alert(driver)

        # Live updates: the user's next message appears without a reload (Server-Sent Events).
        wait.until(ec.text_to_be_present_in_element((By.ID, "live"), "live"))
        harness.say("¿Sigue ahí alguien?")
        wait.until(ec.text_to_be_present_in_element((By.ID, "transcript"), "¿Sigue ahí alguien?"))

        # Claim, reply: the fake Twilio receives the agent's message.
        driver.find_element(By.ID, "claim").click()
        wait.until(ec.text_to_be_present_in_element((By.ID, "conv-meta"), "claimed by ana"))
        driver.find_element(By.ID, "reply").send_keys(REPLY)
        driver.find_element(By.CSS_SELECTOR, "#reply-form button").click()
        wait.until(ec.text_to_be_present_in_element((By.ID, "transcript"), REPLY))
        sent, last = harness.wait_sent(sent + 1)
        assert last == REPLY, f"the fake Twilio got {last!r}"
        no_alert(driver)
        driver.save_screenshot(screenshot)

        # Release: the bot answers the user's next message.
        driver.find_element(By.ID, "release").click()
        wait.until(ec.text_to_be_present_in_element((By.ID, "conv-meta"), "active"))
        harness.say("5")
        after, last = harness.wait_sent(sent + 1)
        assert after == sent + 1 and last != REPLY, f"the bot did not answer: {after} {last!r}"

        # Logout: the page asks for a token again.
        driver.find_element(By.ID, "logout").click()
        wait.until(ec.visibility_of_element_located((By.ID, "token")))
        no_alert(driver)
        print(f"console_browser: ok; screenshot {screenshot}")
    finally:
        driver.quit()
        harness.stop()


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
