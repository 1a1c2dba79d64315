"""The words of the demo content: digests, articles and guest bylines that read like the real
site. A newcomer judges the product by them, so within one post nothing repeats: no sentence
twice, no quote twice, every quote always credited to the same speaker, and a lead image's
caption about its own article. Deterministic for a given seed."""

import random

COMPANIES = [
    "Netflix", "Uber", "Twitter", "Instagram", "WhatsApp", "Stack Overflow", "Pinterest", "Etsy",
    "Dropbox", "Slack", "Spotify", "Airbnb", "Zapier", "Discord", "Shopify", "GitHub", "Reddit",
    "Wikipedia", "Tumblr", "LinkedIn", "Box", "Wistia", "Basecamp", "Cloudflare", "Tinder",
]  # fmt: skip
TECH = [
    "Cassandra", "Kafka", "Redis", "PostgreSQL", "MySQL", "Elasticsearch", "DynamoDB", "Go",
    "Erlang", "Kubernetes", "Docker", "nginx", "Varnish", "Memcached", "Spark", "Lambda",
    "Tarantool", "Riak", "MongoDB", "CockroachDB", "Aerospike", "HAProxy", "ZooKeeper",
]  # fmt: skip
THINGS = [
    "message queues", "feature flags", "a billion push notifications", "their search index",
    "real-time analytics", "global replication", "the timeline", "video transcoding",
    "photo storage", "payments", "rate limiting", "their monolith", "log processing",
]  # fmt: skip
TAGS = [
    "architecture", "scalability", "databases", "caching", "cloud", "aws", "google",
    "microservices", "performance", "distributed-systems", "nosql", "storage", "networking",
    "containers", "serverless", "monitoring", "devops", "security", "machine-learning",
    "real-time", "queues", "latency", "consistency", "load-balancing", "big-data",
    "example", "interview", "strategy", "hardware", "mobile",
]  # fmt: skip
# Each saying belongs to one speaker. Every one names a technology, a company or a thing, so
# the same words rarely come back in two issues (a search would list them side by side).
QUOTES = [
    ("@antirez", "{tech} is fast because it does less, not because it is clever."),
    ("@antirez", "Simplicity in {thing} is a feature you pay for once and collect forever."),
    ("@jaykreps", "A log is the simplest storage abstraction; {company} rebuilt {thing} on it."),
    ("@jaykreps", "Stream processing is just {thing} that never stops."),
    ("@adrianco", "Microservices at {company} are about scaling engineers, not requests."),
    ("@adrianco", "If {tech} is your single point of failure, it will eventually fail."),
    ("@mjpt777", "Mechanical sympathy: know what {tech} asks of the hardware."),
    ("@kellabyte", "Benchmarks of {tech} without p99s are marketing."),
    ("@aphyr", "{tech} lost acknowledged writes under a partition; read the fine print."),
    ("@aphyr", "Consistency is a property of {thing}, not of a database brochure."),
    ("@copyconstruct", "Observability of {thing} starts before the first outage, not after."),
    ("@brendangregg", "Measure {thing} with flame graphs before you rewrite it in {tech}."),
    ("@jessfraz", "Containers at {company} are processes with opinions; {tech} holds the rest."),
    ("@mipsytipsy", "You can't debug {thing} with dashboards built for yesterday's questions."),
    ("Werner Vogels", "Everything fails all the time, {thing} at {company} included."),
    ("Werner Vogels", "Build {thing} so that {tech} can disappear without anyone noticing."),
    ("Joseph Bradley", "{company} learned that {thing} needs a budget for failure."),
    ("Greg Ferro", "The network carrying {thing} is reliable until the day it isn't."),
    ("Fred George", "Small services made {thing} at {company} boring, and boring is good."),
    ("Rob Harrop", "Caching {thing} in {tech} turns one problem into two."),
    ("Leslie Lamport", "Distributed {thing}: a failure you never heard of stops you."),
    ("Butler Lampson", "Keep {thing} simple; {tech} can't save a design that isn't."),
    ("Emin Gün Sirer", "Consensus over {thing} doesn't scale; partition the state instead."),
    ("jsmthrowaway", "We ran {thing} on {tech} for five years and the pager stayed quiet."),
    ("mbrock", "Most {company} outages were configuration changes wearing a disguise."),
    ("sharemywin", "An unbounded queue in front of {tech} is latency waiting to happen."),
    ("Brave New Geek", "Exactly-once {thing} is a promise {tech} can't keep alone."),
    ("@antirez", "Every {tech} feature has a cost in {thing}; say no more often."),
    ("@kellabyte", "{company} measured {thing} on two cores and stopped worrying."),
    ("@mipsytipsy", "Test {thing} in production at {company}; staging is a lie."),
]  # fmt: skip
STATS = [
    ("200K", "msgs per second through {company}"), ("750 million", "transactions per week"),
    ("11 million", "paying subscribers"), (".7c", "speed of light in silicon"),
    ("360TB", "stored in a single crystal"), ("1.5 million", "cache replication msgs/s"),
    ("16 terabytes", "on one new SSD"), ("400 hours", "of video uploaded every minute"),
    ("10,000x", "lower power for Wi-Fi"), ("$1bn", "yearly cost of market share"),
    ("99.999%", "availability target"), ("5ms", "p99 read latency"),
]  # fmt: skip
SENTENCES = [
    "{company} moved {thing} onto {tech} and cut tail latency by an order of magnitude.",
    "The lesson is the usual one: measure first, then change one thing at a time.",
    "What surprised the team most was how much of the load came from a handful of hot keys.",
    "They run hot in several datacenters at once, so a failover is just load moving around.",
    "Every request carries a deadline, and every layer respects it.",
    "Backpressure turned out to be the feature that kept the system alive on launch day.",
    "A single {tech} cluster now handles what used to take three separate systems.",
    "Sharding by customer kept the blast radius of any one failure small.",
    "The write path is boring on purpose; all the cleverness lives in the read path.",
    "Capacity planning became a spreadsheet exercise once the metrics were trustworthy.",
    "It took two rewrites to learn that the bottleneck was never the language.",
    "Idempotent operations made retries safe, and safe retries made everything simpler.",
    "Their on-call rotation shrank once {thing} stopped paging people at night.",
    "Cold starts were the real enemy, so they keep a warm pool and pay for it gladly.",
    "The migration ran for months behind a feature flag, one percent of traffic at a time.",
    "Nobody owned {thing} until it broke, which is how it came to have an owner.",
    "Moving reads to replicas bought a year; moving writes to shards bought the next five.",
    "Compression was the cheapest capacity they ever bought.",
    "The dashboard that mattered had four numbers on it, and everyone knew them.",
    "They replaced a clever cache with a dumb one and the hit rate went up.",
    "Load tests with production traffic found what synthetic ones never did.",
    "{tech} was not the problem; the way they used it was.",
    "Timeouts were tuned down from thirty seconds to three, and the cascades stopped.",
    "The hardest part was deleting the old system, not building the new one.",
    "Each service publishes its error budget, and releases stop when it runs out.",
    "Batching writes turned ten thousand round trips into a few dozen.",
    "A queue in front of {thing} absorbed the spikes the database could not.",
    "Costs fell by a third once idle capacity was turned off at night.",
]  # fmt: skip
ARTICLE_HEADINGS = ["The Stack", "Lessons Learned", "What Went Wrong", "The Numbers", "Next Steps"]
FIRST_NAMES = ["Bryan", "Barzan", "Alice", "Priya", "Diego", "Mei", "Olu", "Sven", "Hannah"]
LAST_NAMES = ["Helmig", "Mozafari", "Nguyen", "Sharma", "Alvarez", "Chen", "Adeyemi", "Berg"]


class DemoWriter:
    """Writes one post at a time; `start_post()` begins a new one, whose sentences are all
    different (each template used once, in a shuffled order)."""

    def __init__(self, seed=2016):
        self.rng = random.Random(seed)
        self._sentences = []

    def start_post(self):
        self._sentences = self.rng.sample(SENTENCES, len(SENTENCES))

    def fill(self, template, company=None):
        rng = self.rng
        return template.format(
            company=company or rng.choice(COMPANIES),
            tech=rng.choice(TECH),
            thing=rng.choice(THINGS),
        )

    def sentence(self):
        if not self._sentences:  # a post longer than the templates: start over, reshuffled
            self.start_post()
        return self.fill(self._sentences.pop())

    def paragraph(self, sentences=3):
        return " ".join(self.sentence() for _ in range(sentences))

    def item(self, company):
        tech = self.rng.choice(TECH)
        slug = company.lower().replace(" ", "-")
        return f"[How {company} uses {tech}](https://example.com/{slug}). {self.paragraph(2)}"

    def digest(self):
        """(intro, stats, quotes, items) of one weekly issue, as the admin would store them."""
        rng = self.rng
        self.start_post()
        stats = [(figure, self.fill(label)) for figure, label in rng.sample(STATS, 6)]
        quotes = [
            (speaker, self.fill(text)) for speaker, text in rng.sample(QUOTES, rng.randint(8, 14))
        ]
        shown_quotes = rng.randint(4, 6)
        companies = rng.sample(COMPANIES, rng.randint(6, 10))
        items = [self.item(company) for company in companies]
        shown_items = rng.randint(2, 3)
        return (
            self.paragraph(1),
            stats,
            [(speaker, text, n < shown_quotes) for n, (speaker, text) in enumerate(quotes)],
            [(text, n < shown_items) for n, text in enumerate(items)],
        )

    def article_title(self):
        """The title of an article and the company it is about (its caption names it)."""
        rng = self.rng
        company, tech, thing = rng.choice(COMPANIES), rng.choice(TECH), rng.choice(THINGS)
        title = rng.choice(
            [
                f"How {company} Scaled {thing.title()} with {tech}",
                f"The Architecture {company} Uses to Handle {rng.randint(2, 900)} Million Users",
                f"{rng.randint(3, 21)} Lessons from Running {tech} at {company}",
                f"Ask HS: Is {tech} the Right Choice for {thing.title()} at {company}?",
                f"{company}'s Transition from a Monolith to {tech}",
                f"Building {thing.title()} on {tech}: A Journey Through {company}'s Stack",
            ]
        )
        return title, company

    def article(self):
        rng = self.rng
        self.start_post()
        excerpt = "\n\n".join(self.paragraph(rng.randint(2, 3)) for _ in range(rng.randint(1, 2)))
        sections = []
        for heading in rng.sample(ARTICLE_HEADINGS, rng.randint(2, 3)):
            bullets = "\n".join(f"- {self.sentence()}" for _ in range(2))
            sections.append(f"## {heading}\n\n{self.paragraph(3)}\n\n{bullets}")
        if rng.random() < 0.3:
            sections.append("```\n$ wrk -t2 -c32 -d30s http://127.0.0.1:8000/\n```")
        return excerpt, "\n\n".join(sections)

    def caption(self, company):
        return self.rng.choice(
            [
                f"{company}'s architecture at a glance.",
                f"How requests flow through {company}'s stack.",
                f"{company}'s services and the data stores behind them.",
            ]
        )

    def guest_byline(self):
        rng = self.rng
        name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        role = rng.choice(["CTO", "Principal Engineer", "SRE lead"])
        return name, f"This is a guest repost by {name}, {role} at {rng.choice(COMPANIES)}."
