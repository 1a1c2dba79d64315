"""axe-core's findings on a page, as the accessibility tests judge them: serious and critical
violations block (the `axe_source` fixture, in conftest, reads the script)."""

BLOCKING = {"serious", "critical"}


def violations(page, axe_source):
    page.evaluate(axe_source)
    result = page.evaluate(
        """async () => {
            const r = await axe.run(document, {resultTypes: ["violations"]});
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 3).map(n => n.target.join(" "))}));
        }"""
    )
    return [v for v in result if v["impact"] in BLOCKING]


def describe(found):
    return "\n".join(f"  {v['impact']}: {v['id']} ({v['help']}) at {v['nodes']}" for v in found)
