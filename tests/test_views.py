"""Issue 34: a view is drawn for any person without a browser session. The page hands the reader in (ui.links.View,
the views' `reader` argument); these draw the board's cards and the Centers page's alignment for three people from
one tree and check what each would see."""
import html as html_lib
import re

from pipelines.delivery import trees
from pipelines.plan.access import User
from ui.links import View
from ui.views import board
from ui.views import centers as uc

ADMIN = User("a", "a", "admin")
ANALYST = User("n", "n", "analyst")
CONTENT_LEAD = User("c", "c", "center_lead", center="content")


def links(html: str) -> list[str]:
    return [html_lib.unescape(h) for h in re.findall(r'href="([^"]+)"', html)]


def test_the_same_card_drawn_for_three_people(company):
    tree = trees.load(company, "2026-11", "2026-11-20")
    zone = board.zone_order(tree)[0]
    view = {"lang": "zh", "month": "2026-11"}
    as_admin = board.zone_card(tree, zone, "zh", View(view, ADMIN))
    as_analyst = board.zone_card(tree, zone, "zh", View(view, ANALYST))
    # the admin's card opens the zone's page in the same view; the analyst may not open it, so no link is drawn
    assert links(as_admin) == [f"war_zone?lang=zh&month=2026-11&zone={zone.id}"]
    assert links(as_analyst) == []
    # the numbers are the same for both: only the link differs
    assert re.sub(r"<a [^>]*>|</a>", "", as_admin) == re.sub(r"<a [^>]*>|</a>", "", as_analyst)


def test_a_center_card_says_whose_actions_are_hidden(company):
    full = trees.load(company, "2026-11", "2026-11-20")
    mine = trees.load(company, "2026-11", "2026-11-20", user=CONTENT_LEAD)
    community = full.node("community")
    assert any(ka.center == "community" for ka in full.key_actions)
    view = View({"lang": "en"}, CONTENT_LEAD)
    card = board.center_card(mine, community, "en", view)
    assert "actions_not_yours" not in card and board.text("actions_not_yours", "en") in card
    # the content lead's own center shows its actions (and the Centers page lists that center only)
    assert "ns-ka" in board.center_card(mine, mine.node("content"), "en", view)
    assert [c.id for c in uc.centers(mine, CONTENT_LEAD)] == ["content"]
    assert [c.id for c in uc.centers(full, ADMIN)] == ["community", "content"]
    assert 'data-k="align.community.' in uc.alignment(full, "en", ADMIN)
    assert 'data-k="align.community.' not in uc.alignment(mine, "en", CONTENT_LEAD)
