"""A small element tree over HTML, enough to walk a feed item's lists (stdlib html.parser)."""

from dataclasses import dataclass, field
from html import escape
from html.parser import HTMLParser

VOID = {"br", "hr", "img", "input", "meta", "link", "source", "wbr", "area", "col", "embed"}


@dataclass
class Node:
    tag: str
    attrs: list = field(default_factory=list)
    children: list = field(default_factory=list)  # Nodes and strings

    def elements(self, tag=None):
        return [c for c in self.children if isinstance(c, Node) and (tag is None or c.tag == tag)]

    def text(self):
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    def inner_html(self):
        return "".join(
            escape(c, quote=False) if isinstance(c, str) else c.html() for c in self.children
        )

    def html(self):
        attrs = "".join(f' {name}="{escape(value or "")}"' for name, value in self.attrs)
        if self.tag in VOID:
            return f"<{self.tag}{attrs}>"
        return f"<{self.tag}{attrs}>{self.inner_html()}</{self.tag}>"


class _Builder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Node("root")
        self.stack = [self.root]

    def handle_starttag(self, tag, attrs):
        node = Node(tag, attrs)
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_endtag(self, tag):
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data):
        self.stack[-1].children.append(data)


def parse_html(markup):
    builder = _Builder()
    builder.feed(markup or "")
    builder.close()
    return builder.root
