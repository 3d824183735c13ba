"""Extraction rules found on real news: earlier network figures, people's names, far towns."""

from __future__ import annotations

from tests.understood import understood

_story = understood


def test_network_size_ignores_the_earlier_figure_and_repeats() -> None:
    story = _story(
        "Qingdao's sister-city network reaches 95 cities in 54 countries",
        "Qingdao now has sister-city ties with 95 cities in 54 countries, up from 86 cities in 48 "
        "countries two years ago.",
    )
    assert [(n["place"]["name"], n["cities"], n["countries"]) for n in story.network_sizes] == [
        ("Qingdao", 95, 54)
    ]


def test_network_sizes_joined_by_and_are_added() -> None:
    story = _story(
        "Gwangju's partner network",
        "Gwangju has sister city ties with 7 cities in 5 countries and friendly cooperation city "
        "ties with 18 cities in 10 countries.",
    )
    assert [(n["cities"], n["countries"]) for n in story.network_sizes] == [(25, 15)]


def test_a_far_town_needs_its_country_named() -> None:
    # "Kim" is a town in India and a Korean surname; a story that never names India means the person.
    alone = _story(
        "Qingdao delegation visits Gwangju",
        "Kim said the sister city relationship between Qingdao and Gwangju Metropolitan City keeps growing.",
    )
    assert {p["a"]["country"] for p in alone.partnerships} | {
        p["b"]["country"] for p in alone.partnerships
    } == {"CN", "KR"}
    # Paks (Hungary, 20,000 people) counts when the story says where it is.
    named = _story(
        "Liaocheng and Paks sign friendship city agreement",
        "Liaocheng signed a friendship city agreement with Paks in Hungary on April 14.",
    )
    assert [(p["a"]["name"], p["b"]["name"]) for p in named.partnerships] == [("Liaocheng", "Paks")]


def test_a_title_before_a_name_makes_it_a_person() -> None:
    story = _story(
        "Yantai and Ulsan sign sister city agreement",
        "Mayor Kim signed a sister city agreement with Yantai on behalf of Ulsan on May 17.",
        published="2023-05-19T09:00:00+09:00",
    )
    assert [(p["a"]["name"], p["b"]["name"], p["event"]) for p in story.partnerships] == [
        ("Yantai", "Ulsan", "established")
    ]
