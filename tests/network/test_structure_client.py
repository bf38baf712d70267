"""Bancas, ventanas and loterías with the front end's fields (contact data, commissionMarginX, rulesJson)."""

from __future__ import annotations

from tests.network.builders import Net

RULES = {
    "allowedBetTypes": ["NUMERO", "REVENTADO"],
    "reventadoConfig": {"enabled": True, "allowedMultiplierIds": []},
    "minBetAmount": 100,
    "maxBetAmount": 10000.5,
    "maxNumbersPerTicket": 10,
    "numberRange": {"min": 0, "max": 99},
    "drawSchedule": {"frequency": "diario", "times": ["12:55", "19:30"], "daysOfWeek": [1, 2, 3]},
    "autoCreateSorteos": False,
    "closingTimeBeforeDraw": 5,
    "salesHours": {"monday": {"start": "08:00", "end": "19:00"}},
}


async def test_ventana_with_the_client_body(net: Net) -> None:
    banca = await net.post("/api/v1/bancas", {"name": "Banca Sur", "code": "BS", "email": "b@s.cr", "isActive": True})
    assert banca["email"] == "b@s.cr" and banca["phone"] is None
    body = {"bancaId": banca["id"], "name": "Ventana Uno", "email": "v1@x.cr", "phone": "8888-0000",
            "address": "San José", "commissionMarginX": None, "isActive": True}
    v = await net.post("/api/v1/ventanas", body)
    assert v["code"].startswith("VEN-") and v["commissionMarginX"] is None and v["address"] == "San José"
    v2 = await net.patch(f"/api/v1/ventanas/{v['id']}", {"commissionMarginX": 5, "phone": None,
                                                         "settings": {"print": {"width": 58}}})
    assert v2["commissionMarginX"] == 5 and v2["phone"] is None and v2["settings"]["print"]["width"] == 58
    page = await net.get("/api/v1/ventanas", bancaId=banca["id"], search="Uno")
    assert page["meta"]["total"] == 1 and page["data"][0]["email"] == "v1@x.cr"
    assert (await net.get("/api/v1/bancas", search="Sur"))["meta"]["total"] == 1
    assert (await net.get("/api/v1/bancas", search="Norte"))["meta"]["total"] == 0


async def test_loteria_rules_json_round_trip(net: Net) -> None:
    lot = await net.post("/api/v1/loterias", {"name": "Tica", "isActive": True, "rulesJson": RULES})
    rules = lot["rulesJson"]
    assert rules["reventadoConfig"]["enabled"] is True and lot["reventadoEnabled"] is True
    assert rules["minBetAmount"] == 100 and rules["maxBetAmount"] == 10000.5 and lot["maxAmountPerBet"] == 10000.5
    assert rules["drawSchedule"] == {"frequency": "diario", "daysOfWeek": [1, 2, 3], "times": ["12:55", "19:30"]}
    assert lot["drawTimes"] == ["12:55", "19:30"] and lot["salesCutoffMinutes"] == 5
    assert rules["closingTimeBeforeDraw"] == 5 and rules["numberRange"] == {"min": 0, "max": 99}
    assert rules["salesHours"] == RULES["salesHours"] and rules["baseMultiplierX"] == 90
    # one source: a flat change shows in rulesJson
    lot = await net.patch(f"/api/v1/loterias/{lot['id']}", {"drawTimes": ["13:00"]})
    assert lot["rulesJson"]["drawSchedule"]["times"] == ["13:00"]
    lot = await net.patch(f"/api/v1/loterias/{lot['id']}", {"rulesJson": {**RULES, "numberRange": {"min": 0, "max": 999},
                                                                            "maxBetAmount": None}})
    assert lot["digits"] == 3 and lot["rulesJson"]["maxBetAmount"] is None
    await net.patch(f"/api/v1/loterias/{lot['id']}", {"rulesJson": {"numberRange": {"min": 1, "max": 99}}}, expect=400)
    await net.patch(f"/api/v1/loterias/{lot['id']}", {"rulesJson": {"minBetAmount": 5, "maxBetAmount": 1}}, expect=400)
    await net.patch(f"/api/v1/loterias/{lot['id']}", {"rulesJson": {"bogus": 1}}, expect=400)
    page = await net.get("/api/v1/loterias", search="tic")
    assert page["meta"]["total"] == 1 and "rulesJson" in page["data"][0]
