"""What an editor does by hand in a browser test, counted as the Keystroke-Level Model counts
it (Card, Moran and Newell), for the before/after figures of composing a digest: the test's
own seconds are a robot's (text arrives in one event); the model says what the same counts
cost a person."""

# The model's operator times: point with the mouse and click; a keystroke of an average typist;
# a drag; and a copy from another tab (think of what to take, switch tab, select it by drag,
# Ctrl+C, switch back, Ctrl+V: M + 2 keys + drag + 2 keys).
KLM_SECONDS = {
    "clicks": 1.1 + 0.2,
    "keys": 0.28,
    "drags": 2.5,
    "typed": 0.28,
    "copies": 1.35 + 2 * 0.28 + 2.5 + 2 * 0.28,
}


class Tally:
    """Clicks (a confirm dialog's OK included), keystrokes that are commands (Ctrl+S; text
    typed is counted apart, in characters), drags, and copies of text from another page."""

    def __init__(self):
        self.clicks = self.keys = self.drags = self.typed = self.copies = 0

    def click(self, locator):
        self.clicks += 1
        locator.click()

    def check(self, locator):
        self.clicks += 1
        locator.check()

    def press(self, page, key):
        self.keys += 1
        page.keyboard.press(key)

    def type(self, page, text):
        self.typed += len(text)
        page.keyboard.insert_text(text)

    def paste(self, page, text):
        """Text copied from another page (its words, its title or its address)."""
        self.copies += 1
        page.keyboard.insert_text(text)

    def figures(self):
        return {name: getattr(self, name) for name in KLM_SECONDS}


def person_seconds(figures):
    return round(sum(KLM_SECONDS[name] * figures.get(name, 0) for name in KLM_SECONDS), 1)
