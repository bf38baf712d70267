"""The network front end's auth, users, bancas, ventanas and loterías calls (contract rows 1, 2, 5, 7,
14, 20, 22, 26), sent exactly as the client sends them to a live server; every field the client
reads is asserted with its type."""

from __future__ import annotations

import httpx

from tests.builders import PASSWORD
from tests.clients.conftest import META, NUM, OPT, shape
from tests.network.builders import Net

PRINT = {"name": (str, OPT), "phone": (str, OPT), "width": (int, OPT), "footer": (str, OPT), "barcode": (bool, OPT)}
ME = {"id": str, "name": str, "username": str, "role": str, "ventanaId": (str, OPT), "bancaId": (str, OPT), "code": (str, OPT),
      "isActive": bool, "settings": {"theme": (str, OPT), "print": PRINT}, "printName": (str, OPT), "printPhone": (str, OPT),
      "printWidth": (int, OPT), "printFooter": (str, OPT), "printBarcode": (bool, OPT)}
USER_ROW = {"id": str, "name": str, "username": str, "email": (str, OPT), "code": (str, OPT), "role": str,
            "ventanaId": (str, OPT), "isActive": bool, "deletedAt": (str, OPT)}
VENTANA = {"id": str, "bancaId": str, "name": str, "code": str, "email": (str, OPT), "phone": (str, OPT),
           "address": (str, OPT), "isActive": bool, "commissionMarginX": (*NUM, OPT)}
RULES = {"reventadoConfig": {"enabled": bool, "allowedMultiplierIds": [str]}, "minBetAmount": (*NUM, OPT),
         "maxBetAmount": (*NUM, OPT), "maxNumbersPerTicket": (int, OPT), "numberRange": {"min": int, "max": int},
         "closingTimeBeforeDraw": int, "drawSchedule": {"frequency": str, "times": [str]}, "baseMultiplierX": NUM}


async def test_login_me_refresh(net: Net, http: httpx.AsyncClient) -> None:
    banca = await net.banca()
    ventana = await net.ventana(banca["id"])
    await net.post("/api/v1/users", {"name": "Lis Tero", "username": "listero9", "email": None, "role": "VENTANA",
                                     "ventanaId": ventana["id"], "password": PASSWORD, "isActive": True})
    # row 1
    r = await http.post("/auth/login", json={"username": "listero9", "password": PASSWORD})
    assert r.status_code == 200, r.text
    shape(r.json()["data"], {"accessToken": str, "refreshToken": str, "user": ME})
    access, refresh = r.json()["data"]["accessToken"], r.json()["data"]["refreshToken"]
    # row 2
    r = await http.get("/auth/me", headers={"Authorization": f"Bearer {access}"})
    assert r.status_code == 200, r.text
    shape(r.json()["data"], ME)
    assert r.json()["data"]["name"] == "Lis Tero" and r.json()["data"]["bancaId"] == banca["id"]
    # row 3: the client reads data.accessToken
    r = await http.post("/auth/refresh", json={"refreshToken": refresh})
    assert r.status_code == 200, r.text
    shape(r.json()["data"], {"accessToken": str, "refreshToken": str})
    # row 4
    r = await http.post("/auth/logout", headers={"Authorization": f"Bearer {r.json()['data']['accessToken']}"})
    assert r.status_code == 200, r.text


async def test_users_as_the_client_calls_them(net: Net, http: httpx.AsyncClient) -> None:
    banca = await net.banca()
    ventana = await net.ventana(banca["id"])
    # row 7 — ADMIN creates a listero, the listero creates a vendedor (body exactly as the form sends it)
    for headers, body in (
        (net.admin, {"name": "Ana Listera", "username": "ana.l", "email": "ana@x.cr", "role": "VENTANA",
                     "ventanaId": ventana["id"], "password": PASSWORD, "isActive": True}),
        (None, {"name": "Beto Vende", "username": "beto.v", "email": None, "role": "VENDEDOR",
                "ventanaId": ventana["id"], "password": PASSWORD, "isActive": True}),
    ):
        if headers is None:
            headers = await net.login("ana.l")
        r = await http.post("/users", json=body, headers=headers)
        assert r.status_code == 201, r.text
        shape(r.json()["data"], USER_ROW)
    # row 5 — the admin list and the listero's vendedor picker
    for headers, params in ((net.admin, {"page": 1, "pageSize": 20, "role": "VENTANA", "isActive": "true", "search": "ana"}),
                            (await net.login("ana.l"), {"page": 1, "pageSize": 100, "role": "VENDEDOR", "isActive": "true"})):
        r = await http.get("/users", params=params, headers=headers)
        assert r.status_code == 200, r.text
        shape(r.json(), {"data": [USER_ROW], "meta": META})
        assert r.json()["meta"]["total"] == 1


async def test_bancas_ventanas_loterias(net: Net, http: httpx.AsyncClient) -> None:
    banca = await net.banca()
    # row 22 — commissionMarginX always sent, code omitted
    body = {"bancaId": banca["id"], "name": "Ventana Centro", "email": "c@x.cr", "phone": "2222-2222", "address": "Centro",
            "commissionMarginX": None, "isActive": True}
    r = await http.post("/ventanas", json=body, headers=net.admin)
    assert r.status_code == 201, r.text
    shape(r.json()["data"], VENTANA)
    # row 20
    r = await http.get("/ventanas", params={"page": 1, "pageSize": 20, "search": "Centro", "isActive": "true",
                                            "bancaId": banca["id"]}, headers=net.admin)
    assert r.status_code == 200, r.text
    shape(r.json(), {"data": [VENTANA], "meta": META})
    assert r.json()["meta"]["total"] == 1
    # row 14
    r = await http.get("/bancas", params={"page": 1, "pageSize": 20, "search": banca["name"], "isActive": "true"}, headers=net.admin)
    assert r.status_code == 200, r.text
    shape(r.json(), {"data": [{"id": str, "name": str, "code": str, "isActive": bool}], "meta": META})
    assert r.json()["meta"]["total"] == 1
    # row 28 (create with name, isActive and the editor's rules) then row 26
    rules = {"allowedBetTypes": ["NUMERO"], "reventadoConfig": {"enabled": False, "allowedMultiplierIds": []}, "minBetAmount": 1,
             "maxBetAmount": 10000, "maxNumbersPerTicket": 10, "numberRange": {"min": 0, "max": 99},
             "drawSchedule": {"frequency": "diario", "times": ["12:00"], "daysOfWeek": [1, 2, 3, 4, 5, 6, 0]},
             "autoCreateSorteos": False, "closingTimeBeforeDraw": 0}
    r = await http.post("/loterias", json={"name": "Nacional", "isActive": True, "rulesJson": rules}, headers=net.admin)
    assert r.status_code == 201, r.text
    r = await http.get("/loterias", params={"page": 1, "pageSize": 20, "search": "Nac"}, headers=net.admin)
    assert r.status_code == 200, r.text
    shape(r.json(), {"data": [{"id": str, "name": str, "isActive": bool, "rulesJson": RULES}], "meta": META})
