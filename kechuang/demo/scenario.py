"""The demo world of the Qingdao "科创中国" pilot city as plain Python data.

``build_scenario(seed)`` returns dicts/lists of str/int/float/bool/None only (dates are
ISO strings), deterministic for a given seed: all randomness comes from one
``random.Random(seed)`` and all dates are relative to the fixed ``DEMO_TODAY``.
The Django loader turns this into database rows; the keys are a contract.

Run ``python -m kechuang.demo.scenario`` to print a summary.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta, timezone

from kechuang.demo import content_orgs as co
from kechuang.demo import content_text as ct
from kechuang.demo.content_topics import TOPICS, TOPICS_BY_SOCIETY

DEMO_TODAY = "2026-11-20"
DEFAULT_SEED = 20201129

PIPELINE = ["submitted", "reviewed", "matched", "met", "agreement", "delivered", "closed"]
STATUSES = [*PIPELINE, "returned"]
NEED_KINDS = ["tech", "transfer", "talent", "equipment", "standard", "consulting"]

_TODAY = date.fromisoformat(DEMO_TODAY)
_TZ = timezone(timedelta(hours=8))
_SYMPOSIUM = date(2026, 11, 17)  # 服务青岛座谈会 / 对接会 / 签约
_NEWMAT_DAY = date(2026, 11, 12)  # 新材料科技专家服务团对接会 + 莱西石墨把脉
_PRIMARY_PASSWORD = {
    "coordinator": "demo-coord-2026",
    "district": "demo-district-2026",
    "enterprise": "demo-ent-2026",
    "liaison": "demo-liaison-2026",
    "expert": "demo-expert-2026",
    "leadership": "demo-lead-2026",
}
_PASSWORD = "demo-2026"  # noqa: S105 - the fictional demo's published password (README), never production

# generic (non-article) need distribution: 127 generated + 5 article needs = 132
_GEN_STATUS_COUNTS = {
    "submitted": 26,
    "reviewed": 26,
    "matched": 28,
    "met": 24,
    "agreement": 3,
    "delivered": 6,
    "closed": 5,
    "returned": 9,
}
_GEN_KIND_COUNTS = {
    "tech": 55,
    "transfer": 20,
    "talent": 12,
    "equipment": 14,
    "standard": 10,
    "consulting": 16,
}
_GEN_CONF_COUNTS = {"matched": 12, "coordinators": 7}
_GEN_MAJOR = 35


# --------------------------------------------------------------------------- helpers
def _dt(d: date, hour: int = 9, minute: int = 0) -> str:
    return datetime(d.year, d.month, d.day, hour, minute, tzinfo=_TZ).isoformat()


def _parse(s: str) -> datetime:
    return datetime.fromisoformat(s)


def _pick(rng: random.Random, seq):
    return seq[rng.randrange(len(seq))]


def _sample(rng: random.Random, seq, k):
    return rng.sample(list(seq), min(k, len(seq)))


def _weighted(rng: random.Random, pairs):
    total = sum(w for _, w in pairs)
    x = rng.uniform(0, total)
    for value, w in pairs:
        x -= w
        if x <= 0:
            return value
    return pairs[-1][0]


def _expand(counts: dict, rng: random.Random) -> list:
    items = [k for k, n in counts.items() for _ in range(n)]
    rng.shuffle(items)
    return items


def _vocab(rng: random.Random, topic: dict) -> dict:
    """A consistent set of topic words for one text."""
    methods = _sample(rng, topic["methods"], 2)
    problem = _pick(rng, topic["problems"])
    prop = _pick(rng, topic["props"])
    return {
        "obj": _pick(rng, topic["objects"]),
        "method": methods[0],
        "method2": methods[1],
        "prop": prop,
        "up": "降低" if prop in ct.LOWER_IS_BETTER else "提升",
        "opt": "工艺优化" if topic["material"] else "性能优化",
        "spec": "可量产的工艺规范" if topic["material"] else "可推广的技术规范",
        "produce": "稳定量产" if topic["material"] else "规模化应用",
        "app": _pick(rng, topic["apps"]),
        "problem": problem,
        "problem_short": problem,
        "kw": _pick(rng, topic["keywords"]),
        "topic": topic["name"],
        "field": topic["fields"][0],
    }


def _patent_number(rng: random.Random, year: int) -> str:
    digits = f"{year}1{rng.randrange(10**7):07d}"
    weights = [2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5]
    check = sum(int(d) * w for d, w in zip(digits, weights)) % 11
    return f"ZL{digits}.{'X' if check == 10 else check}"


def _unique(rng, make, used: set, tries: int = 30):
    value = make()
    for _ in range(tries):
        if value not in used:
            break
        value = make()
    used.add(value)
    return value


# --------------------------------------------------------------------------- builder
class _Builder:
    def __init__(self, seed: int):
        self.seed = seed
        self.rng = random.Random(seed)  # noqa: S311 - a reproducible demo, not a secret
        self.used_names: set[str] = set()
        self.used_titles: set[str] = set()

    # ----------------------------------------------------------------- people
    def person_name(self, gender: str) -> str:
        rng = self.rng
        pool = ct.GIVEN_MALE if gender == "M" else ct.GIVEN_FEMALE
        for _ in range(200):
            surname = _pick(rng, ct.COMPOUND_SURNAMES) if rng.random() < 0.02 else _pick(rng, ct.SURNAMES)
            given = _pick(rng, pool) if rng.random() < 0.3 else _pick(rng, pool) + _pick(rng, pool)
            name = surname + given
            if name not in self.used_names and name not in ct.NAME_BLOCKLIST and given[0] != given[-1:]:
                self.used_names.add(name)
                return name
        raise RuntimeError("name pool exhausted")  # pragma: no cover

    # ----------------------------------------------------------------- areas / chains / orgs
    def areas(self):
        return [{"code": c, "name": n, "kind": k, "parent": p} for c, n, k, p in co.AREAS]

    def chains(self):
        return [{"code": c, "name": n, "task_force": tf, "keywords": list(kw)} for c, n, tf, kw in co.CHAINS]

    def organisations(self):
        orgs = []
        for key, s in co.SOCIETIES.items():
            orgs.append(
                {
                    "key": key,
                    "name": s["name"],
                    "short_name": s["short_name"],
                    "kind": "society",
                    "district": None,
                    "chain": None,
                    "description": s["description"],
                    "fields": list(s["fields"]),
                }
            )
        for key, (name, short, kind, _region, district, fields, _socs) in co.ACADEMIC.items():
            desc = co.ACADEMIC_DESCRIPTIONS[kind].format(name=name, f0=fields[0], f1=fields[1 % len(fields)])
            orgs.append(
                {
                    "key": key,
                    "name": name,
                    "short_name": short,
                    "kind": kind,
                    "district": district,
                    "chain": None,
                    "description": desc,
                    "fields": list(fields),
                }
            )
        for key, (name, short, kind, district, fields, desc) in co.OTHER_ORGS.items():
            orgs.append(
                {
                    "key": key,
                    "name": name,
                    "short_name": short,
                    "kind": kind,
                    "district": district,
                    "chain": None,
                    "description": desc,
                    "fields": list(fields),
                }
            )
        for key, (name, short, district, chain, topics, desc) in co.ENTERPRISES.items():
            fields = []
            for t in topics:
                for f in TOPICS[t]["keywords"][:3]:
                    if f not in fields:
                        fields.append(f)
            orgs.append(
                {
                    "key": key,
                    "name": name,
                    "short_name": short,
                    "kind": "enterprise",
                    "district": district,
                    "chain": chain,
                    "description": desc,
                    "fields": fields,
                }
            )
        return orgs

    # ----------------------------------------------------------------- experts
    def experts(self):
        rng = self.rng
        experts = []
        self.expert_topic: dict[str, str] = {}
        self.experts_by_topic: dict[str, list[str]] = {t: [] for t in TOPICS}
        self.experts_by_society: dict[str, list[str]] = {s: [] for s in co.SOCIETIES}
        self.primary_expert = None
        n = 0
        for soc_key in co.SOCIETIES:
            topics = TOPICS_BY_SOCIETY[soc_key]
            count = 30 + rng.randint(1, 4)
            plan = [topics[i % len(topics)] for i in range(count)]
            rng.shuffle(plan)
            if soc_key == "soc-cmrs":  # the demo expert login is a graphene expert: make them first
                plan.remove("cmrs.graphene")
                plan.insert(1, "cmrs.graphene")
            affs = [k for k, v in co.ACADEMIC.items() if soc_key in v[6]]
            aff_weights = [(k, 3 if co.ACADEMIC[k][4] else 2) for k in affs]
            for i, topic_key in enumerate(plan):
                n += 1
                key = f"exp-{n:03d}"
                primary = soc_key == "soc-cmrs" and i == 1
                experts.append(self._expert(key, soc_key, topic_key, aff_weights, i == 0, primary))
                self.expert_topic[key] = topic_key
                self.experts_by_topic[topic_key].append(key)
                self.experts_by_society[soc_key].append(key)
                if primary:
                    self.primary_expert = key
        # a few experts are members of a second society
        related = {
            "soc-corr": "soc-metal",
            "soc-metal": "soc-corr",
            "soc-fish": "soc-ocean",
            "soc-ocean": "soc-fish",
            "soc-agrimach": "soc-agri",
            "soc-agri": "soc-agrimach",
            "soc-cmrs": "soc-corr",
            "soc-bme": "soc-cmrs",
            "soc-caa": "soc-highway",
            "soc-highway": "soc-caa",
        }
        for e in experts:
            if rng.random() < 0.15:
                e["societies"].append(related[e["societies"][0]])
        return experts

    def _expert(self, key, soc_key, topic_key, aff_weights, academician, primary):
        rng = self.rng
        topic = TOPICS[topic_key]
        soc = co.SOCIETIES[soc_key]
        gender = "M" if rng.random() < 0.7 else "F"
        name = self.person_name(gender)
        if primary:
            aff = "uni-qust"
            title = "教授"
        else:
            aff = _weighted(rng, aff_weights)
            kind = co.ACADEMIC[aff][2]
            if academician:
                title = "院士"
            else:
                col = 1 if kind == "university" else 2
                title = _weighted(rng, [(t[0], t[col]) for t in ct.TITLE_WEIGHTS if t[col]])
        aff_name, _short, _kind, region, _d, _f, _s = co.ACADEMIC[aff]
        keywords = _sample(rng, topic["keywords"], rng.randint(4, 6))
        if primary:
            keywords = ["石墨烯", "规模化制备", "液相剥离", "导热膜", "天然鳞片石墨"]
        extra = _pick(rng, topic["objects"])
        if extra not in keywords:
            keywords.append(extra)
        fields = []
        for f in [*topic["fields"][:2], soc["fields"][0]]:
            if f not in fields:
                fields.append(f)
        v = _vocab(rng, topic)
        kws = _sample(rng, topic["keywords"], 3)
        role = _pick(rng, ct.ROLES[title])
        shown_title = _pick(rng, ct.ACADEMICIAN_TITLES) if title == "院士" else title
        opener = _pick(rng, ct.BIO_OPENERS).format(
            name=name,
            title=shown_title,
            role=role,
            aff=aff_name,
            soc=soc["name"],
            socrole=_pick(rng, ct.SOCIETY_ROLES) if title != "院士" else "副理事长",
        )
        body = _pick(rng, ct.BIO_BODIES).format(
            topic=topic["name"],
            kw1=kws[0],
            kw2=kws[1],
            kw3=kws[2],
            app=v["app"],
            method=v["method"],
            method2=v["method2"],
        )
        scale = 2 if title in ("院士", "教授", "研究员") else 1
        record = _pick(rng, ct.BIO_RECORDS).format(
            proj=_pick(rng, ct.PROJECTS),
            n1=rng.randint(3, 8) * scale,
            n2=rng.randint(3, 9) * 10 * scale,
            n3=rng.randint(3, 15) * scale,
            n4=rng.randint(1, 3),
        )
        extra_s = _pick(rng, ct.BIO_EXTRAS).format(
            award=_pick(rng, ct.AWARDS), n5=rng.randint(3, 30), app=v["app"], venue=_pick(rng, soc["venues"])
        )
        bio = opener + body + record + extra_s
        pubs = [self._publication(topic, soc) for _ in range(rng.randint(3, 8))]
        pubs.sort(key=lambda p: -p["year"])
        n_pat = _weighted(rng, [(0, 2), (1, 3), (2, 3), (3, 2)])
        if primary:
            n_pat = 3
        patents = [self._patent(topic_key) for _ in range(n_pat)]
        patents.sort(key=lambda p: -p["year"])
        return {
            "key": key,
            "name": name,
            "gender": gender,
            "title": title,
            "affiliation": aff,
            "societies": [soc_key],
            "fields": fields,
            "keywords": keywords,
            "region": region,
            "availability": "available"
            if primary
            else _weighted(rng, [("available", 65), ("limited", 25), ("unavailable", 10)]),
            "bio": bio,
            "publications": pubs,
            "patents": patents,
        }

    def _publication(self, topic, soc):
        rng = self.rng

        def make():
            v = _vocab(rng, topic)
            return _pick(rng, ct.PUB_TITLES).format(**v), v

        title, v = make()
        for _ in range(40):
            if title not in self.used_titles:
                break
            title, v = make()
        self.used_titles.add(title)
        fill = dict(
            v,
            exp=_pick(rng, ct.EXPERIMENTS),
            pct=rng.randint(8, 46),
            pct2=rng.randint(5, 25),
            n=rng.randint(2, 9),
        )
        sentences = [
            _pick(rng, ct.ABS_S1).format(**fill),
            _pick(rng, ct.ABS_S2).format(**fill),
            _pick(rng, ct.ABS_S3).format(**fill),
        ]
        s4 = _pick(rng, ct.ABS_S4).format(**fill)
        if s4:
            sentences.append(s4)
        return {
            "title": title,
            "abstract": "".join(sentences),
            "venue": _pick(rng, soc["venues"]),
            "year": rng.randint(2014, 2026),
        }

    def _patent(self, topic_key):
        rng = self.rng
        v = _vocab(rng, TOPICS[topic_key])
        titles = ct.PATENT_TITLES_MATERIAL if TOPICS[topic_key]["material"] else ct.PATENT_TITLES_SYSTEM
        title = _pick(rng, titles).format(**v)
        year = rng.randint(2015, 2025)
        tail = title[2:] if title.startswith("一种") else title
        abstract = _pick(rng, ct.PATENT_ABSTRACTS).format(
            title_tail="一种" + tail, pct=rng.randint(10, 40), **v
        )
        return {"title": title, "number": _patent_number(rng, year), "abstract": abstract, "year": year}

    # ----------------------------------------------------------------- achievements
    def achievements(self):
        rng = self.rng
        items = []
        specials = [
            (
                "soc-cmrs",
                "cmrs.graphene",
                "石墨烯宏量制备与导热膜产业化技术",
                "采用电化学插层与液相剪切剥离耦合工艺，实现少层石墨烯粉体吨级制备，层数分布集中、缺陷密度低；配套的石墨烯导热膜导热系数达1500 W/(m·K)以上。已建成中试线并完成连续运行考核，可为石墨烯企业规模化生产提供成套工艺。",
                "pilot",
                "授权发明专利9项",
                "co_dev",
            ),
            (
                "soc-cmrs",
                "cmrs.graphene",
                "天然鳞片石墨低酸耗高温纯化与球形化技术",
                "以天然鳞片石墨为原料，采用高温纯化替代传统酸碱法，固定碳含量稳定达到99.99%，酸耗降低80%以上；配套气流粉碎球形化工艺，收率提高15个百分点。适用于石墨主产区企业向负极材料和高纯石墨制品延伸。",
                "industrial",
                "授权发明专利6项、企业标准2项",
                "license",
            ),
            (
                "soc-cmrs",
                "cmrs.functional",
                "家电用长效抗菌防污自清洁复合涂层",
                "通过纳米银铜负载与表面微纳结构构筑，涂层对大肠杆菌和金黄色葡萄球菌抗菌率大于99%，经500次擦洗后仍保持在95%以上，同时具备超疏水防污和耐盐雾1000小时性能，可用于冰箱内胆、洗衣机筒体和智慧家居面板。",
                "pilot",
                "授权发明专利5项",
                "co_dev",
            ),
            (
                "soc-cmrs",
                "cmrs.rubber",
                "废旧轮胎低温连续裂解与裂解炭黑活化改性技术",
                "采用低温微负压连续热裂解工艺，解决传统装置结焦堵塞问题；裂解炭黑经深度活化改性后灰分降低40%，可在轮胎胶料中部分替代N330炭黑。已完成万吨级示范运行，尾气经焚烧净化后达标排放。",
                "industrial",
                "授权发明专利7项",
                "transfer",
            ),
            (
                "soc-agrimach",
                "caams.harvest",
                "低损伤花生联合收获关键技术与装备",
                "针对花生收获损失率和破碎率偏高问题，优化摘果滚筒结构与清选气流场，配套作业监测系统，使收获损失率降至2.5%以下、破碎率低于1%，已在山东、河南花生主产区推广应用。",
                "industrial",
                "授权发明专利8项、实用新型12项",
                "license",
            ),
        ]
        n = 0
        for soc_key, topic_key, title, desc, maturity, ip, mode in specials:
            n += 1
            owner = self.experts_by_topic[topic_key][0]
            items.append(
                {
                    "key": f"ach-{n:03d}",
                    "title": title,
                    "owner_society": soc_key,
                    "owner_expert": owner,
                    "description": desc,
                    "maturity": maturity,
                    "ip": ip,
                    "transfer_mode": mode,
                    "fields": list(TOPICS[topic_key]["fields"][:2]),
                    "chain": TOPICS[topic_key]["chain"],
                }
            )
        used = {i["title"] for i in items}
        for soc_key in co.SOCIETIES:
            topics = TOPICS_BY_SOCIETY[soc_key]
            for j in range(6):
                topic_key = topics[j % len(topics)]
                topic = TOPICS[topic_key]
                for _attempt in range(40):
                    v = _vocab(rng, topic)
                    title = _pick(rng, ct.ACH_TITLES).format(**v)
                    if title not in used:
                        break
                used.add(title)
                maturity = _weighted(rng, [("lab", 3), ("pilot", 4), ("industrial", 3)])
                owner = _pick(rng, self.experts_by_topic[topic_key]) if rng.random() < 0.7 else None
                aff = (
                    co.ACADEMIC[self.expert_aff[owner]][0]
                    if owner
                    else co.SOCIETIES[soc_key]["name"] + "专家团队"
                )
                stage, stage_done = ct.STAGE_TEXT[maturity]
                ip = _pick(
                    rng,
                    [
                        f"授权发明专利{rng.randint(2, 9)}项",
                        f"授权发明专利{rng.randint(2, 6)}项、软件著作权{rng.randint(1, 4)}项",
                        f"申请发明专利{rng.randint(2, 5)}项，其中已授权{rng.randint(1, 2)}项",
                        f"授权发明专利{rng.randint(3, 8)}项、团体标准{rng.randint(1, 2)}项",
                    ],
                )
                desc = _pick(rng, ct.ACH_DESCRIPTIONS).format(
                    stage=stage, stage_done=stage_done, ip_note=ip, aff=aff, pct=rng.randint(15, 60), **v
                )
                n += 1
                items.append(
                    {
                        "key": f"ach-{n:03d}",
                        "title": title,
                        "owner_society": soc_key,
                        "owner_expert": owner,
                        "description": desc,
                        "maturity": maturity,
                        "ip": ip,
                        "transfer_mode": _weighted(
                            rng, [("transfer", 2), ("license", 3), ("co_dev", 4), ("equity", 1)]
                        ),
                        "fields": list(topic["fields"][:2]),
                        "chain": topic["chain"],
                    }
                )
        return items

    # ----------------------------------------------------------------- service teams
    def service_teams(self):
        rng = self.rng
        teams = []
        for soc_key, soc in co.SOCIETIES.items():
            members = self.experts_by_society[soc_key]
            chosen = [members[0]]  # the academician leads the team
            if soc_key == "soc-cmrs":
                chosen.append(self.primary_expert)
            for topic_key in TOPICS_BY_SOCIETY[soc_key]:
                pool = [e for e in self.experts_by_topic[topic_key] if e not in chosen]
                chosen += _sample(rng, pool, 2)
            chosen = chosen[: rng.randint(8, 10)]
            chains = []
            for topic_key in TOPICS_BY_SOCIETY[soc_key]:
                if TOPICS[topic_key]["chain"] not in chains:
                    chains.append(TOPICS[topic_key]["chain"])
            name = (
                "中国科协“科创中国”新材料科技专家服务团"
                if soc_key == "soc-cmrs"
                else f"“科创中国”{soc['team_theme']}科技服务团（{soc['short_name']}）"
            )
            teams.append(
                {
                    "key": f"team-{soc_key[4:]}",
                    "name": name,
                    "societies": [soc_key],
                    "experts": chosen,
                    "theme": f"{soc['team_theme']}：围绕青岛{'、'.join(self.chain_names[c] for c in chains)}产业链开展需求对接、园区把脉和成果转化服务",
                    "chains": chains,
                    "target_city": "青岛市",
                }
            )
        joint = [
            (
                "team-ocean-joint",
                "“科创中国”现代海洋联合科技服务团",
                ["soc-ocean", "soc-fish", "soc-corr"],
                "现代海洋：海洋装备、深远海养殖与海洋腐蚀防护协同服务",
                ["ocean", "eco"],
            ),
            (
                "team-agri-joint",
                "“科创中国”乡村振兴与农业装备联合服务团",
                ["soc-agri", "soc-agrimach"],
                "现代农业：种业、智慧农业与农机装备由大变强",
                ["agri", "food"],
            ),
        ]
        for key, name, socs, theme, chains in joint:
            chosen = []
            for s in socs:
                chosen += _sample(rng, self.experts_by_society[s][1:], 4 if len(socs) == 2 else 3)
            teams.append(
                {
                    "key": key,
                    "name": name,
                    "societies": socs,
                    "experts": chosen,
                    "theme": theme,
                    "chains": chains,
                    "target_city": "青岛市",
                }
            )
        return teams

    # ----------------------------------------------------------------- users
    def users(self, experts):
        rng = self.rng
        users = []

        def add(key, username, password, role, display, org=None, area=None, expert=None):
            users.append(
                {
                    "key": key,
                    "username": username,
                    "password": password,
                    "role": role,
                    "display_name": display,
                    "org": org,
                    "area": area,
                    "expert": expert,
                }
            )

        def staff(gender=None):
            return self.person_name(gender or ("M" if rng.random() < 0.55 else "F"))

        add(
            "u-coordinator",
            "coordinator",
            _PRIMARY_PASSWORD["coordinator"],
            "coordinator",
            f"{staff()}（市科协）",
            org="gov-cast-qd",
            area="qd",
        )
        add(
            "u-coord-2",
            "coord-2",
            _PASSWORD,
            "coordinator",
            f"{staff()}（市科协）",
            org="gov-cast-qd",
            area="qd",
        )
        add(
            "u-coord-3",
            "coord-3",
            _PASSWORD,
            "coordinator",
            f"{staff()}（市科协）",
            org="gov-cast-qd",
            area="qd",
        )
        add(
            "u-district",
            "district",
            _PRIMARY_PASSWORD["district"],
            "district",
            f"{staff()}（莱西市科协）",
            area="qd-laixi",
        )
        self.district_user = {"qd-laixi": "u-district"}
        for code, name, kind, _parent in co.AREAS:
            if kind == "city" or code == "qd-laixi":
                continue
            suffix = code[3:]
            add(
                f"u-district-{suffix}",
                f"district-{suffix}",
                _PASSWORD,
                "district",
                f"{staff()}（{name}）",
                area=code,
            )
            self.district_user[code] = f"u-district-{suffix}"
        add(
            "u-enterprise",
            "enterprise",
            _PRIMARY_PASSWORD["enterprise"],
            "enterprise",
            f"{staff()}（领军集团）",
            org="ent-lingjun",
        )
        self.ent_user = {}
        for i, (key, ent) in enumerate(co.ENTERPRISES.items(), start=1):
            add(f"u-ent-{i}", f"ent-{i}", _PASSWORD, "enterprise", f"{staff()}（{ent[1]}）", org=key)
            self.ent_user[key] = f"u-ent-{i}"
        self.ent_user["ent-lingjun"] = "u-enterprise"
        add(
            "u-liaison",
            "liaison",
            _PRIMARY_PASSWORD["liaison"],
            "liaison",
            f"{staff()}（材料研究学会）",
            org="soc-cmrs",
        )
        self.liaison_user = {}
        for i, (key, soc) in enumerate(co.SOCIETIES.items(), start=1):
            add(
                f"u-liaison-{i}",
                f"liaison-{i}",
                _PASSWORD,
                "liaison",
                f"{staff()}（{soc['short_name']}）",
                org=key,
            )
            self.liaison_user[key] = f"u-liaison-{i}"
        self.liaison_user["soc-cmrs"] = "u-liaison"
        by_key = {e["key"]: e for e in experts}
        primary = by_key[self.primary_expert]
        add(
            "u-expert",
            "expert",
            _PRIMARY_PASSWORD["expert"],
            "expert",
            primary["name"],
            org=primary["affiliation"],
            expert=primary["key"],
        )
        self.expert_user = {self.primary_expert: "u-expert"}
        i = 0
        for soc_key in co.SOCIETIES:
            for ekey in [e for e in self.experts_by_society[soc_key] if e != self.primary_expert][:2]:
                i += 1
                e = by_key[ekey]
                add(
                    f"u-expert-{i}",
                    f"expert-{i}",
                    _PASSWORD,
                    "expert",
                    e["name"],
                    org=e["affiliation"],
                    expert=ekey,
                )
                self.expert_user[ekey] = f"u-expert-{i}"
        add(
            "u-leadership",
            "leadership",
            _PRIMARY_PASSWORD["leadership"],
            "leadership",
            f"{staff()}（市领导）",
            org="gov-cast-qd",
            area="qd",
        )
        add(
            "u-lead-2",
            "lead-2",
            _PASSWORD,
            "leadership",
            f"{staff()}（市科技局）",
            org="gov-kjj-qd",
            area="qd",
        )
        return users

    def coordinator(self):
        return _weighted(self.rng, [("u-coordinator", 6), ("u-coord-2", 3), ("u-coord-3", 2)])

    # ----------------------------------------------------------------- events
    def events(self):
        rng = self.rng
        all_socs = list(co.SOCIETIES)
        events = []

        def add(
            key, kind, title, start, end, venue, organisers, societies, description, scale, district=None
        ):
            # district: where the event is held (its figures count for that district and the city);
            # None for the city's own events (they count for the whole city only)
            events.append(
                {
                    "key": key,
                    "kind": kind,
                    "title": title,
                    "start": start,
                    "end": end,
                    "venue": venue,
                    "organisers": organisers,
                    "societies": societies,
                    "description": description,
                    "scale": scale,
                    "district": district,
                    "held": None,  # past 对接会: who came, as the description says (the loader records it)
                }
            )

        add(
            "ev-launch",
            "conference",
            "中国科协年会“科创中国”科技服务团服务青岛活动启动仪式",
            _dt(date(2026, 8, 14), 9),
            _dt(date(2026, 8, 14), 12),
            "青岛国际会议中心",
            ["gov-cast-qd", "gov-kjj-qd"],
            all_socs,
            "中国科协年会期间举行，“科创中国”科技服务团服务青岛活动正式启动，相关论坛针对青岛产业需求量身定制。",
            600,
        )
        add(
            "ev-caa-forum",
            "conference",
            "全球智能制造与机器人发展论坛",
            _dt(date(2026, 9, 18), 9),
            _dt(date(2026, 9, 19), 17),
            "青岛高新区创业中心",
            ["soc-caa", "gov-cast-qd"],
            ["soc-caa"],
            "中国自动化学会在青岛举办的国际性学术会议，聚焦工业机器人、智能制造与人工智能应用，设企业需求发布专场。",
            900,
            district="qd-chengyang",
        )
        add(
            "ev-caa-appliance",
            "symposium",
            "智能家电控制与家居物联网国际研讨会",
            _dt(date(2026, 10, 22), 9),
            _dt(date(2026, 10, 23), 12),
            "崂山区科技创新园会议中心",
            ["soc-caa", "gov-gxj-qd"],
            ["soc-caa", "soc-cmrs"],
            "围绕智能家电控制、场景联动与家电功能材料开展研讨，家电龙头企业研发负责人参会交流。",
            320,
            district="qd-laoshan",
        )
        add(
            "ev-robot-contest",
            "competition",
            "中国机器人大赛（青岛）",
            _dt(date(2026, 11, 9), 8, 30),
            _dt(date(2026, 11, 13), 17),
            "青岛国际会展中心",
            ["soc-caa", "gov-cast-qd"],
            ["soc-caa"],
            "国内影响力最大、综合技术水平最高的机器人学科竞赛之一，吸引来自全国的参赛选手超过3500名，为青岛壮大机器人产业规模带来助推力。",
            3620,
        )
        add(
            "ev-graphite-visit",
            "visit",
            "新材料科技专家服务团走进莱西石墨产业",
            _dt(_NEWMAT_DAY, 8, 30),
            _dt(_NEWMAT_DAY, 12),
            "莱西经济开发区",
            ["soc-cmrs", "gov-laixi"],
            ["soc-cmrs"],
            "十余位材料领域专家走进莱西石墨企业研发中心和生产一线，为“中国石墨之乡”的石墨产业发展深度把脉。",
            30,
            district="qd-laixi-kfq",
        )
        add(
            "ev-newmat-matchmaking",
            "matchmaking",
            "中国科协“科创中国”新材料科技专家服务团对接会",
            _dt(_NEWMAT_DAY, 14),
            _dt(_NEWMAT_DAY, 17, 30),
            "莱西经济开发区会议中心",
            ["soc-cmrs", "gov-cast-qd", "gov-laixi"],
            ["soc-cmrs"],
            "新材料科技专家服务团与青岛新材料、石墨企业开展需求对接，专家与当地企业建立长期联系。",
            95,
            district="qd-laixi-kfq",
        )
        # held: "十余位专家现场把脉" (the need history); the events loader records who came and met
        events[-1]["held"] = {"experts": 12, "enterprises": 15, "chain": TOPICS["cmrs.graphene"]["chain"]}
        add(
            "ev-symposium",
            "symposium",
            "中国科协“科创中国”科技服务团服务青岛座谈会",
            _dt(_SYMPOSIUM, 9),
            _dt(_SYMPOSIUM, 12),
            "青岛国际会议中心",
            ["gov-cast-qd", "gov-kjj-qd", "gov-gxj-qd", "gov-myj-qd"],
            all_socs,
            "10家全国学会带着智囊团、科技成果和创新项目来到青岛，通过签约合作、会企交流等方式为青岛创新发展提供智力支持。",
            180,
        )
        add(
            "ev-matchmaking-main",
            "matchmaking",
            "全国学会与青岛企业精准对接洽谈会",
            _dt(_SYMPOSIUM, 13, 30),
            _dt(_SYMPOSIUM, 16),
            "青岛国际会议中心",
            ["gov-cast-qd", "gov-myj-qd"],
            all_socs,
            "会前提出精准需求的30多家青岛企业、50多位企业代表与10家全国学会专家面对面洽谈，提出需求、给到方案。",
            130,
        )
        add(
            "ev-signing",
            "signing",
            "全国学会与青岛合作协议集中签约暨基地揭牌仪式",
            _dt(_SYMPOSIUM, 16),
            _dt(_SYMPOSIUM, 17, 30),
            "青岛国际会议中心",
            ["gov-cast-qd"],
            all_socs,
            "全国学会与青岛企业、高校、协会集中签约，中国材料研究学会科技成果转化基地、中国农业机械学会青岛产业创新服务中心揭牌。",
            180,
        )
        add(
            "ev-newmat-conf",
            "conference",
            "中国新材料大会（青岛）",
            _dt(date(2027, 7, 8), 9),
            _dt(date(2027, 7, 10), 17),
            "青岛国际会展中心",
            ["soc-cmrs", "gov-cast-qd"],
            ["soc-cmrs"],
            "中国材料研究学会计划在青岛举办的8000人规模新材料大会，设石墨烯、新能源材料等分会场及成果转化对接专场（筹备中）。",
            8000,
        )
        # 19 themed matchmaking meetings over the past year
        start = date(2025, 12, 2)
        span = (date(2026, 11, 6) - start).days
        days = sorted(rng.sample(range(0, span, 3), 19))
        soc_cycle = all_socs + _sample(rng, all_socs, 9)
        rng.shuffle(soc_cycle)
        used_titles = set()
        for i, (offset, soc_key) in enumerate(zip(days, soc_cycle), start=1):
            d = start + timedelta(days=offset)
            topic_key = _pick(rng, TOPICS_BY_SOCIETY[soc_key])
            topic = TOPICS[topic_key]
            districts = sorted({e[2] for e in co.ENTERPRISES.values() if topic_key in e[4]}) or ["qd-shinan"]
            district = _pick(rng, districts)
            soc = co.SOCIETIES[soc_key]

            def make(soc=soc, topic=topic, district=district):
                return _pick(rng, ct.EVENT_TITLES).format(
                    topic=topic["name"],
                    soc=soc["short_name"],
                    district=self.area_names[district],
                    chain=self.chain_names[topic["chain"]],
                )

            title = _unique(rng, make, used_titles)
            societies = [soc_key]
            if rng.random() < 0.3:
                other = _pick(rng, [s for s in all_socs if s != soc_key])
                societies.append(other)
            organisers = ["gov-cast-qd", *societies]
            if rng.random() < 0.5:
                organisers.append(_pick(rng, ["gov-kjj-qd", "gov-gxj-qd", "gov-myj-qd"]))
            hour = _pick(rng, [9, 9, 14])
            n_ent = rng.randint(6, 25)
            venue = _pick(rng, ct.EVENT_VENUES[district])
            n_exp = rng.randint(5, 15)  # drawn in the order the description always drew them
            add(
                f"ev-mm-{i:02d}",
                "matchmaking",
                title,
                _dt(d, hour),
                _dt(d, hour + 3, 30),
                venue,
                organisers,
                societies,
                f"围绕{topic['name']}方向，{soc['name']}组织{n_exp}位专家与{n_ent}家企业开展一对一洽谈，"
                f"重点讨论{_pick(rng, topic['problems'])}、{_pick(rng, topic['keywords'])}等问题。",
                n_ent * 3 + rng.randint(10, 40),
                district=district,
            )
            # what the description says, as data: the loader records these participants and meetings
            events[-1]["held"] = {"experts": n_exp, "enterprises": n_ent, "chain": topic["chain"]}
        events.sort(key=lambda e: e["start"])
        return events

    # ----------------------------------------------------------------- needs
    def _history(self, need, topic_key, last_at: datetime, fixed=None):
        """Walk the pipeline backwards from ``last_at``; returns history entries in time order."""
        rng = self.rng
        status = need["status"]
        steps = PIPELINE[: PIPELINE.index(status) + 1] if status != "returned" else None
        if steps is None:
            steps = ["submitted", "returned"] if rng.random() < 0.5 else ["submitted", "reviewed", "returned"]
        if fixed:
            times = [_parse(t) for t in fixed]
        else:
            times = [last_at]
            for _ in range(len(steps) - 1):
                gap = timedelta(
                    days=rng.randint(2, 24), hours=rng.randint(-3, 3), minutes=rng.choice([0, 10, 25, 40])
                )
                t = times[0] - gap
                if t.hour < 8 or t.hour > 18:
                    t = t.replace(hour=rng.randint(9, 17))
                times.insert(0, t)
        society = TOPICS[topic_key]["society"]
        ent = need["enterprise"]
        district = need["district"]
        source = need["source"]
        history = []
        for i, (st, at) in enumerate(zip(steps, times)):
            note_tpl = _pick(rng, ct.HISTORY_NOTES[st])
            event_title = event_key = None
            if st == "met" and not fixed:
                lo = times[i - 1]
                hi = times[i + 1] if i + 1 < len(times) else _parse(_dt(_TODAY, 8))
                candidates = [
                    e
                    for e in self.events_list
                    if e["kind"] == "matchmaking"
                    and society in e["societies"]
                    and lo < _parse(e["start"]) < hi - timedelta(hours=2)
                ]
                if candidates:
                    ev = _pick(rng, candidates)
                    at = _parse(ev["start"]) + timedelta(hours=1)
                    if ev["key"] == "ev-matchmaking-main":
                        # the demo leaves that meeting's schedule to the coordinator's one click, so no
                        # meeting there can be on record: the history does not claim one
                        note_tpl = ct.HISTORY_NOTES["met"][1]
                    else:
                        event_title = ev["title"]
                        event_key = ev["key"]
                        note_tpl = ct.HISTORY_NOTES["met"][2]
                elif "{event}" in note_tpl:
                    note_tpl = ct.HISTORY_NOTES["met"][0]
            if st == "submitted":
                if source == "district":
                    by = self.district_user[district]
                    note = ct.HISTORY_NOTES["submitted"][2]
                elif source == "visit":
                    by = self.coordinator()
                    note = ct.HISTORY_NOTES["submitted"][3]
                    seen = [v for v in self.visits_by_ent.get(ent, []) if v["date"] <= at.date().isoformat()]
                    if seen:
                        note = f"{seen[-1]['date']}专家在{seen[-1]['title']}活动中现场发现并登记。"
                elif source == "call":
                    by = self.ent_user[ent]
                    note = ct.HISTORY_NOTES["submitted"][1]
                else:
                    by = self.ent_user[ent]
                    note = _pick(rng, [ct.HISTORY_NOTES["submitted"][0], ct.HISTORY_NOTES["submitted"][4]])
            else:
                if st in ("reviewed", "returned") and source == "district" and rng.random() < 0.6:
                    by = self.district_user[district]
                else:  # only coordinators move a need past review (needs.services.allowed_transitions)
                    by = self.coordinator()
                n_experts = min(len(self.experts_by_topic[topic_key]), rng.randint(3, 6))
                note = note_tpl.format(
                    chain=self.chain_names[need["chain"]],
                    society=co.SOCIETIES[society]["name"],
                    n=n_experts,
                    event=event_title or "",
                )
            entry = {"status": st, "at": at.isoformat(), "by": by, "note": note}
            if st == "matched":
                # the records behind the note: the experts recommended (the matching loader accepts them;
                # taken in order, so the random draws stay as they were)
                pool = self.experts_by_topic[topic_key]
                if fixed:  # the story's needs: the demo expert login is left for the coordinator to accept
                    pool = [k for k in pool if k != self.primary_expert]
                entry["experts"] = pool[:n_experts]
            if event_key:
                entry["event"] = event_key  # the meeting at that event is recorded by the events loader
            history.append(entry)
        return history

    def _article_needs(self):
        base = [
            {
                "enterprise": "ent-lingjun",
                "topics": ["cmrs.graphene"],
                "title": "石墨烯规模化制备质量提升与产业化技术攻关",
                "kind": "tech",
                "background": "山东领军科技集团已建成石墨烯粉体和石墨烯导热膜中试线，产品在电子散热、防腐涂料等领域完成客户送样验证。随着下游订单增长，企业计划将石墨烯研发成果推向规模化生产，打造青岛新材料产业的示范项目。",
                "problem": "中试线放大至吨级后，少层石墨烯粉体层数分布变宽、缺陷增多，批次间导电导热性能波动超过20%；石墨烯导热膜在大面积制备中易出现褶皱和厚度不均，成品率不足70%。企业缺少系统的表征手段和工艺放大经验，难以满足头部客户对质量一致性的要求。",
                "goal": "希望依托中国材料研究学会专家组建智囊团，在12个月内完成石墨烯粉体和导热膜的工艺优化与质量控制体系建设，批次性能波动控制在5%以内、导热膜成品率提升至90%以上，实现石墨烯产品稳定产业化。",
                "keywords": ["石墨烯", "规模化制备", "液相剥离", "石墨烯导热膜", "批次一致性", "产业化"],
                "budget": (300, 800),
                "deadline": "2027-12-31",
                "confidentiality": "public",
                "source": "call",
                "dates": [
                    (date(2026, 10, 15), 10),
                    (date(2026, 10, 21), 15),
                    (date(2026, 11, 3), 11),
                    (_SYMPOSIUM, 14, 20),
                    (_SYMPOSIUM, 16, 30),
                ],
            },
            {
                "enterprise": "ent-haier-rd",
                "topics": ["cmrs.functional"],
                "title": "智慧家居用轻薄耐腐蚀、抗污除菌及自动控温控湿控氧功能材料研发",
                "kind": "tech",
                "background": "青岛海尔智能技术研发有限公司承担海尔智慧家居前沿技术研发，新一代高端冰箱、洗衣机和空气类产品正在向轻薄化、健康化和智能化方向升级，对家电内外部材料提出了全新要求。",
                "problem": "现有家电面板和内胆材料在减薄后耐腐蚀性能下降，厨房与卫浴高湿环境下易出现锈蚀和霉变；抗菌涂层的抗菌持久性不足，经多次清洁后抗菌率明显降低；冰箱保鲜空间缺少能够自动调节温度、湿度和氧气浓度的功能材料，依赖机械和电控方案导致成本和能耗偏高。",
                "goal": "希望联合中国材料研究学会专家，开发兼具轻薄、耐腐蚀、抗污、除菌功能的家电用复合材料，以及可自动控温控湿控氧的智能功能膜材料，24个月内完成样件验证并导入两款以上量产机型。",
                "keywords": ["抗菌材料", "防污涂层", "耐腐蚀", "调温调湿", "控氧", "轻薄化", "智慧家居"],
                "budget": (200, 600),
                "deadline": "2028-06-30",
                "confidentiality": "matched",
                "source": "call",
                "dates": [
                    (date(2026, 10, 12), 9, 30),
                    (date(2026, 10, 19), 14),
                    (date(2026, 11, 2), 10),
                    (_SYMPOSIUM, 14, 40),
                    (_SYMPOSIUM, 16, 35),
                ],
            },
            {
                "enterprise": "ent-doublestar",
                "topics": ["cmrs.rubber"],
                "title": "废旧轮胎低温连续热裂解及裂解炭黑高值化利用",
                "kind": "tech",
                "background": "双星集团在轮胎主业之外布局废旧轮胎循环利用，建设废旧轮胎裂解项目，将废轮胎转化为裂解炭黑、热解油和钢丝，打造轮胎全生命周期绿色产业链。",
                "problem": "现有热裂解装置连续运行时易结焦堵塞，单线年有效运行时间不足6000小时；裂解炭黑灰分偏高、结构度低，只能作为低端填料销售，附加值低；裂解尾气与异味治理压力大，项目扩产面临环保约束。",
                "goal": "希望在全国学会专家支持下，优化低温微负压连续热裂解工艺，将年有效运行时间提升至7500小时以上；开发裂解炭黑深度活化改性技术，使其在轮胎胶料中部分替代N330炭黑，并形成企业产品标准。",
                "keywords": ["废旧轮胎", "热裂解", "裂解炭黑", "热解油", "循环经济", "尾气治理"],
                "budget": (500, 1500),
                "deadline": "2027-12-31",
                "confidentiality": "public",
                "source": "call",
                "dates": [
                    (date(2026, 10, 16), 11),
                    (date(2026, 10, 22), 9, 30),
                    (date(2026, 11, 4), 15),
                    (_SYMPOSIUM, 15),
                    (_SYMPOSIUM, 16, 40),
                ],
            },
            {
                "enterprise": "ent-lx-huaxi",
                "topics": ["cmrs.graphene", "cmrs.battery"],
                "title": "莱西天然鳞片石墨深加工与高端石墨制品开发",
                "kind": "tech",
                "background": "莱西素有“中国石墨之乡”之称，石墨资源丰富，但本地企业多以选矿和初级提纯产品为主。公司是莱西石墨深加工骨干企业，年加工鳞片石墨约2万吨，产品包括高碳石墨、可膨胀石墨和柔性石墨纸。",
                "problem": "高纯石墨提纯仍以酸碱法为主，酸耗和废水处理成本高，纯度难以稳定达到99.99%；可膨胀石墨和柔性石墨纸产品同质化严重，缺少面向锂电负极、导热和密封等高端应用的产品；本地石墨产业链条短，石墨烯等下游高附加值环节尚未形成规模。",
                "goal": "希望依托中国材料研究学会科技成果转化基地，引入高温纯化、球形化和石墨烯制备等技术，在18个月内开发2至3个高端石墨产品，推动莱西石墨产业由原料输出向材料制造转型。",
                "keywords": ["天然鳞片石墨", "高温纯化", "球形石墨", "石墨烯", "石墨深加工", "莱西石墨"],
                "budget": (150, 400),
                "deadline": "2028-05-31",
                "confidentiality": "public",
                "source": "district",
                "dates": [
                    (date(2026, 10, 28), 10),
                    (date(2026, 10, 30), 16),
                    (date(2026, 11, 6), 9, 30),
                    (_NEWMAT_DAY, 15),
                    (_SYMPOSIUM, 16, 45),
                ],
            },
            {
                "enterprise": "ent-wofeng",
                "topics": ["caams.harvest", "caams.parts"],
                "title": "破解农机“大而不强”：花生收获机智能化升级与关键部件可靠性提升",
                "kind": "tech",
                "background": "青岛是全国重要的农机生产基地，花生、马铃薯等特色作物收获机械产量居全国前列，但多数企业规模不大、产品同质化，农机“大而不强”的困境突出。公司主导产品为四行和六行花生联合收获机，年产销量约3000台。",
                "problem": "整机在黏重土壤和高含水率条件下摘果损失率和破碎率偏高；摘果滚筒、链耙等关键部件寿命短，田间故障率高，作业旺季售后压力大；整机缺少作业监测和智能调控功能，与国外先进产品差距明显。",
                "goal": "希望通过中国农业机械学会青岛产业创新服务中心对接专家团队，两年内将收获损失率降至3%以下、关键部件平均故障间隔时间提高50%，并开发搭载北斗导航和作业监测的智能化机型。",
                "keywords": ["花生收获机", "农机装备", "大而不强", "关键零部件", "可靠性", "智能农机"],
                "budget": (100, 300),
                "deadline": "2028-10-31",
                "confidentiality": "public",
                "source": "district",
                "dates": [
                    (date(2026, 10, 9), 10),
                    (date(2026, 10, 14), 10),
                    (date(2026, 10, 29), 14),
                    (_SYMPOSIUM, 15, 10),
                    (_SYMPOSIUM, 16, 50),
                ],
            },
        ]
        return base

    def needs(self):
        rng = self.rng
        needs = []
        self.need_topics: dict[str, list[str]] = {}
        n = 0
        for a in self._article_needs():
            n += 1
            ent = co.ENTERPRISES[a["enterprise"]]
            key = f"need-{n:03d}"
            need = {
                "key": key,
                "enterprise": a["enterprise"],
                "title": a["title"],
                "kind": a["kind"],
                "chain": TOPICS[a["topics"][0]]["chain"],
                "district": ent[2],
                "background": a["background"],
                "problem": a["problem"],
                "goal": a["goal"],
                "keywords": a["keywords"],
                "budget_min": a["budget"][0],
                "budget_max": a["budget"][1],
                "deadline": a["deadline"],
                "confidentiality": a["confidentiality"],
                "source": a["source"],
                "major": True,
                "status": "agreement",
                "history": [],
            }
            fixed = [_dt(*d) for d in a["dates"]]
            need["history"] = self._history(need, a["topics"][0], None, fixed=fixed)
            if a["enterprise"] == "ent-lx-huaxi":
                need["history"][3]["note"] = (
                    "在中国科协“科创中国”新材料科技专家服务团对接会上，十余位专家现场把脉莱西石墨产业并与企业建立联系。"
                )
            else:
                need["history"][3]["note"] = (
                    "在全国学会与青岛企业精准对接洽谈会上与学会专家面对面洽谈，专家现场给出方案思路。"
                )
            needs.append(need)
            self.need_topics[key] = a["topics"]

        # generated needs
        ent_keys = list(co.ENTERPRISES)
        plan = ent_keys * 2 + [_pick(rng, ent_keys) for _ in range(127 - 2 * len(ent_keys))]
        rng.shuffle(plan)
        statuses = _expand(_GEN_STATUS_COUNTS, rng)
        kinds = _expand(_GEN_KIND_COUNTS, rng)
        confs = _expand({**_GEN_CONF_COUNTS, "public": 127 - sum(_GEN_CONF_COUNTS.values())}, rng)
        majors = [True] * _GEN_MAJOR + [False] * (127 - _GEN_MAJOR)
        rng.shuffle(majors)
        used_problems = {x["problem"] for x in needs}
        used_titles = {x["title"] for x in needs}
        for i, ent_key in enumerate(plan):
            n += 1
            key = f"need-{n:03d}"
            ent = co.ENTERPRISES[ent_key]
            topic_key = _pick(rng, ent[4])
            topic = TOPICS[topic_key]
            kind = kinds[i]
            status = statuses[i]
            material = topic["material"]
            # one vocabulary sample per need, so title, background, problem and goal agree
            for _attempt in range(80):
                v = _vocab(rng, topic)
                title = _pick(rng, ct.NEED_TITLES[kind]).format(**v)
                problem = _pick(rng, ct.NEED_PROBLEMS).format(
                    v2=_pick(rng, ["行业先进水平", "国际同类产品水平", "头部客户准入标准", "出口认证要求"]),
                    n=rng.randint(2, 6),
                    pct=rng.randint(55, 93),
                    pct2=rng.randint(10, 40),
                    loss=rng.randint(5, 120) * 10,
                    **v,
                )
                if title not in used_titles and problem not in used_problems:
                    break
            used_titles.add(title)
            used_problems.add(problem)
            other = _pick(rng, [o for o in topic["objects"] if o != v["obj"]])
            fill = dict(
                v,
                product=f"{v['obj']}、{other}",
                rev=_pick(rng, ["0.8", "1.5", "2.3", "3", "4.6", "6", "12", "25"]),
                year=rng.randint(1998, 2021),
                staff=rng.randint(6, 90) * 10,
                rd=rng.randint(8, 120),
                driver=_pick(rng, ct.DRIVERS),
                short=ent[1],
                district=self.area_names[ent[2]],
                chain=self.chain_names[ent[3]],
                desc=ent[5],
                cap=_pick(rng, ct.CAPACITY[material]),
            )
            background = _pick(rng, ct.NEED_BACKGROUNDS).format(**fill)
            goal = _pick(rng, ct.NEED_GOALS).format(
                months=_pick(rng, [6, 9, 12, 18, 24]), pct=rng.randint(10, 50), n=rng.randint(1, 5), **v
            )
            goal += ct.KIND_GOAL_EXTRA[kind]
            keywords = _sample(rng, topic["keywords"], rng.randint(3, 5))
            if v["obj"] not in keywords:
                keywords.append(v["obj"])
            budget_min, budget_max = self._budget(kind)
            source = _weighted(rng, [("call", 40), ("district", 25), ("self", 20), ("visit", 15)])
            need = {
                "key": key,
                "enterprise": ent_key,
                "title": title,
                "kind": kind,
                "chain": topic["chain"],
                "district": ent[2],
                "background": background,
                "problem": problem,
                "goal": goal,
                "keywords": keywords,
                "budget_min": budget_min,
                "budget_max": budget_max,
                "deadline": None,
                "confidentiality": confs[i],
                "source": source,
                "major": majors[i],
                "status": status,
                "history": [],
            }
            last_at = self._last_movement(status)
            need["history"] = self._history(need, topic_key, last_at)
            first = _parse(need["history"][0]["at"]).date()
            if rng.random() < 0.85:
                need["deadline"] = (first + timedelta(days=rng.randint(120, 600))).isoformat()
            needs.append(need)
            self.need_topics[key] = [topic_key]
        return needs

    def _budget(self, kind):
        rng = self.rng
        ranges = {
            "tech": (30, 600),
            "transfer": (50, 1000),
            "talent": (20, 120),
            "equipment": (20, 300),
            "standard": (5, 40),
            "consulting": (3, 50),
        }
        if (kind in ("talent", "consulting") and rng.random() < 0.4) or rng.random() < 0.08:
            return None, None
        lo, hi = ranges[kind]
        a = rng.randint(lo, hi)
        b = rng.randint(a, hi * 2)
        step = 5 if hi <= 120 else 10
        a = max(step, a // step * step)
        b = max(a + step, b // step * step)
        return a, b

    def _last_movement(self, status) -> datetime:
        rng = self.rng
        if status in ("closed", "delivered"):
            days = rng.randint(4, 150)
        elif status == "agreement":
            days = rng.randint(5, 90)
        elif rng.random() < 0.35:  # stalled
            days = rng.randint(31, 160)
        else:
            days = rng.randint(1, 29)
        d = _TODAY - timedelta(days=days)
        return datetime.fromisoformat(_dt(d, rng.randint(8, 18), _pick(rng, [0, 5, 15, 30, 45])))

    # ----------------------------------------------------------------- labels
    def labels(self, needs):
        out = {}
        for need in needs:
            if need["kind"] not in ("tech", "transfer"):
                continue
            keys = []
            for t in self.need_topics[need["key"]]:
                keys += [e for e in self.experts_by_topic[t] if e not in keys]
            out[need["key"]] = keys
        return out

    # ----------------------------------------------------------------- agreements
    def agreements(self, needs, events):
        rng = self.rng
        items = []
        milestones_std = [
            ("完成现场调研与技术方案论证", 45),
            ("完成小试验证与样品试制", 120),
            ("完成中试验证与工艺定型", 240),
            ("成果验收与知识产权布局", 360),
        ]

        def ms(signed: date, plan, end: date | None = None, all_done=False):
            out = []
            for title, offset in plan:
                due = signed + timedelta(days=offset)
                if end is not None:
                    due = signed + timedelta(days=max(7, int((end - signed).days * offset / plan[-1][1])))
                done = all_done or (due < _TODAY and rng.random() < 0.75)
                out.append({"title": title, "due": due.isoformat(), "done": done})
            return out

        article = [
            (
                "中国材料研究学会与山东领军科技集团合作协议",
                "tech_service",
                ["soc-cmrs", "ent-lingjun"],
                260,
                "need-001",
                [
                    ("组建材料学会专家智囊团", 14),
                    ("石墨烯中试线工艺诊断报告", 75),
                    ("规模化制备质量控制体系建立", 200),
                    ("石墨烯产品产业化验收", 400),
                ],
            ),
            (
                "中国材料研究学会与青岛海尔智能技术研发有限公司合作协议",
                "tech_dev",
                ["soc-cmrs", "ent-haier-rd"],
                380,
                "need-002",
                [
                    ("确定功能材料技术指标与评价方法", 45),
                    ("抗菌防污耐蚀复合材料样件", 180),
                    ("控温控湿控氧功能膜样件验证", 360),
                    ("导入量产机型", 600),
                ],
            ),
            (
                "中国材料研究学会与双星集团废旧轮胎裂解项目技术服务协议",
                "tech_service",
                ["soc-cmrs", "ent-doublestar"],
                150,
                "need-003",
                [("裂解装置结焦问题诊断", 40), ("裂解炭黑活化改性中试", 200), ("形成裂解炭黑企业标准", 330)],
            ),
            (
                "中国材料研究学会科技成果转化基地共建协议",
                "joint_base",
                ["soc-cmrs", "gov-laixi", "park-lxkfq", "asso-graphite"],
                None,
                "need-004",
                [
                    ("基地揭牌运行", 0),
                    ("制定面向全市新材料企业的年度服务计划", 45),
                    ("举办石墨产业技术对接活动不少于4场", 365),
                ],
            ),
            (
                "中国农业机械学会青岛产业创新服务中心合作协议",
                "joint_base",
                ["soc-agrimach", "gov-cast-qd", "asso-agrimach", "uni-qau"],
                None,
                "need-005",
                [
                    ("服务中心揭牌并组建专家委员会", 0),
                    ("完成全市农机企业技术需求普查", 90),
                    ("组织农机关键零部件联合攻关项目", 270),
                    ("发布青岛农机装备升级年度报告", 365),
                ],
            ),
        ]
        n = 0
        for title, kind, parties, amount, need_key, plan in article:
            n += 1
            items.append(
                {
                    "key": f"agr-{n:02d}",
                    "title": title,
                    "kind": kind,
                    "parties": parties,
                    "amount": amount,
                    "signed": _SYMPOSIUM.isoformat(),
                    "needs": [need_key],
                    "event": "ev-signing",
                    "milestones": [
                        {"title": t, "due": (_SYMPOSIUM + timedelta(days=o)).isoformat(), "done": o == 0}
                        for t, o in plan
                    ],
                }
            )
        events_by_day = {}
        for e in events:
            events_by_day.setdefault(e["start"][:10], e["key"])
        generic = [
            x
            for x in needs
            if x["key"] not in {a[4] for a in article} and x["status"] in ("agreement", "delivered", "closed")
        ]
        for need in generic:
            n += 1
            topic_key = self.need_topics[need["key"]][0]
            society = TOPICS[topic_key]["society"]
            lead = _pick(rng, self.experts_by_topic[topic_key])
            aff = self.expert_aff[lead]
            ent = co.ENTERPRISES[need["enterprise"]]
            hist = {h["status"]: _parse(h["at"]).date() for h in need["history"]}
            signed = hist["agreement"]
            kind = {"tech": "tech_dev", "transfer": "tech_dev"}.get(need["kind"], "tech_service")
            if need["kind"] == "talent":
                kind = "joint_base"
            amount = None
            if need["budget_min"] is not None:
                amount = rng.randint(need["budget_min"], need["budget_max"]) // 5 * 5 or need["budget_min"]
            kind_name = {
                "tech_dev": "技术开发合同",
                "tech_service": "技术服务协议",
                "joint_base": "共建专家工作站协议",
            }[kind]
            short_title = need["title"][:18]
            end = hist.get("delivered")
            items.append(
                {
                    "key": f"agr-{n:02d}",
                    "title": f"{ent[1]}“{short_title}”{kind_name}",
                    "kind": kind,
                    "parties": [society, need["enterprise"], aff],
                    "amount": amount,
                    "signed": signed.isoformat(),
                    "needs": [need["key"]],
                    "event": events_by_day.get(signed.isoformat()),
                    "milestones": ms(
                        signed, milestones_std[: rng.randint(2, 4)], end=end, all_done=end is not None
                    ),
                }
            )
        return items

    # ----------------------------------------------------------------- visits
    def visits(self):
        rng = self.rng
        visits = []
        cmrs = self.experts_by_society["soc-cmrs"]
        graphite_experts = list(self.experts_by_topic["cmrs.graphene"])
        graphite_experts += [e for e in self.experts_by_topic["cmrs.battery"] if e not in graphite_experts][
            :3
        ]
        graphite_experts += [e for e in cmrs if e not in graphite_experts][:2]
        graphite_stops = [
            (
                "ent-lx-huaxi",
                "企业年加工鳞片石墨约2万吨，高纯石墨仍采用酸碱法提纯，酸耗和废水处理成本高；可膨胀石墨产品同质化明显。",
                "建议引入高温纯化技术替代部分酸碱法工艺，依托材料学会转化基地开展球形石墨和柔性石墨高端产品中试。",
                "high",
            ),
            (
                "ent-lx-jinling",
                "选矿回收率较高，但产品以中碳石墨原料为主，附加值低，缺少深加工环节和研发团队。",
                "建议与华烯石墨、岱石碳素形成上下游协作，优先发展高碳石墨和可膨胀石墨，逐步向石墨烯原料延伸。",
                "high",
            ),
            (
                "ent-lx-daishi",
                "球形石墨收率约55%，尾料利用不足，负极前驱体批次一致性需提升以满足动力电池客户要求。",
                "建议优化气流粉碎球形化分级工艺，开发尾料制备导电剂和增碳剂路线，联合高校建立负极材料评价平台。",
                "medium",
            ),
            (
                "ent-liyuan-battery",
                "电芯企业对本地石墨负极材料有采购意愿，但对一致性与认证周期存在顾虑。",
                "建议由转化基地牵头建立莱西石墨负极材料本地验证通道，推动石墨企业与电池企业协同开发。",
                "medium",
            ),
        ]
        visits.append(
            {
                "key": "visit-01",
                "title": "新材料科技专家服务团走进莱西把脉石墨产业",
                "date": _NEWMAT_DAY.isoformat(),
                "park": "park-lxkfq",
                "district": "qd-laixi",
                "experts": graphite_experts[:12],
                "societies": ["soc-cmrs"],
                "stops": [
                    {
                        "enterprise": e,
                        "order": i,
                        "minutes": m,
                        "findings": f,
                        "recommendations": r,
                        "urgency": u,
                    }
                    for i, ((e, f, r, u), m) in enumerate(zip(graphite_stops, [90, 60, 70, 50]), start=1)
                ],
            }
        )
        all_socs = list(co.SOCIETIES)
        soc_cycle = all_socs * 3 + [_pick(rng, all_socs)]
        rng.shuffle(soc_cycle)
        start = date(2025, 12, 5)
        span = (date(2026, 11, 15) - start).days
        days = sorted(rng.sample(range(span), len(soc_cycle)))
        used_titles = {visits[0]["title"]}
        for i, (offset, soc_key) in enumerate(zip(days, soc_cycle), start=2):
            d = start + timedelta(days=offset)
            soc_topics = TOPICS_BY_SOCIETY[soc_key]
            ents = [k for k, e in co.ENTERPRISES.items() if set(e[4]) & set(soc_topics)]
            district = co.ENTERPRISES[_pick(rng, ents)][2]
            local = [k for k in ents if co.ENTERPRISES[k][2] == district]
            stops_ents = _sample(rng, local, rng.randint(1, 3))
            others = [k for k, e in co.ENTERPRISES.items() if e[2] == district and k not in stops_ents]
            if others and rng.random() < 0.3:
                stops_ents.append(_pick(rng, others))
            park = co.PARK_BY_DISTRICT.get(district) if rng.random() < 0.65 else None
            place = co.OTHER_ORGS[park][1] if park else self.area_names[district]
            topics_hit = []
            for k in stops_ents:
                for t in co.ENTERPRISES[k][4]:
                    if t in soc_topics and t not in topics_hit:
                        topics_hit.append(t)
            experts = []
            for t in topics_hit:
                experts += _sample(rng, self.experts_by_topic[t], 2)
            pool = [e for e in self.experts_by_society[soc_key] if e not in experts]
            experts += _sample(rng, pool, max(0, rng.randint(3, 7) - len(experts)))
            societies = [soc_key]
            second = [
                TOPICS[t]["society"]
                for k in stops_ents
                for t in co.ENTERPRISES[k][4]
                if TOPICS[t]["society"] != soc_key
            ]
            if second and rng.random() < 0.35:
                s2 = second[0]
                societies.append(s2)
                experts += _sample(rng, self.experts_by_society[s2], 2)
            chain = self.chain_names[TOPICS[topics_hit[0]]["chain"]] if topics_hit else "重点"

            def make_title(soc_key=soc_key, place=place, chain=chain):
                return _pick(rng, ct.VISIT_TITLES).format(
                    soc=co.SOCIETIES[soc_key]["short_name"], place=place, chain=chain
                )

            title = _unique(rng, make_title, used_titles)
            if title in [v["title"] for v in visits]:
                title = f"{title}（{d.month}月）"
            stops = []
            for order, k in enumerate(stops_ents, start=1):
                ent_topics = co.ENTERPRISES[k][4]
                t = next(
                    (x for soc in societies for x in ent_topics if TOPICS[x]["society"] == soc), ent_topics[0]
                )
                v = _vocab(rng, TOPICS[t])
                aff = co.ACADEMIC[self.expert_aff[experts[0]]][0]
                stops.append(
                    {
                        "enterprise": k,
                        "order": order,
                        "minutes": rng.randint(4, 15) * 10,
                        "findings": _pick(rng, ct.FINDINGS).format(pct=rng.randint(2, 8), **v),
                        "recommendations": _pick(rng, ct.RECOMMENDATIONS).format(aff=aff, **v),
                        "urgency": _weighted(rng, [("high", 3), ("medium", 5), ("low", 2)]),
                    }
                )
            visits.append(
                {
                    "key": f"visit-{i:02d}",
                    "title": title,
                    "date": d.isoformat(),
                    "park": park,
                    "district": district,
                    "experts": experts,
                    "societies": societies,
                    "stops": stops,
                }
            )
        visits.sort(key=lambda v: v["date"])
        return visits

    # ----------------------------------------------------------------- bases
    def bases(self):
        rng = self.rng
        specs = [
            (
                "base-cmrs-laixi",
                "transfer_base",
                "中国材料研究学会科技成果转化基地",
                "soc-cmrs",
                "park-lxkfq",
                "qd-laixi",
                _SYMPOSIUM,
                [
                    (_SYMPOSIUM, "event", "基地揭牌暨莱西石墨产业发展座谈"),
                    (date(2026, 11, 19), "consultation", "石墨深加工企业技术问诊（线上）"),
                ],
            ),
            (
                "base-caams-qd",
                "innovation_centre",
                "中国农业机械学会青岛产业创新服务中心",
                "soc-agrimach",
                "uni-qau",
                "qd-chengyang",
                _SYMPOSIUM,
                [
                    (_SYMPOSIUM, "event", "服务中心揭牌及专家委员会组建"),
                    (date(2026, 11, 18), "consultation", "花生收获机企业关键部件可靠性问诊"),
                ],
            ),
            (
                "base-caa-robot",
                "innovation_centre",
                "中国自动化学会青岛机器人产业创新服务中心",
                "soc-caa",
                "park-gxq",
                "qd-chengyang",
                date(2026, 9, 18),
                None,
            ),
            (
                "base-ocean-lg",
                "transfer_base",
                "中国海洋学会海洋科技成果转化基地（蓝谷）",
                "soc-ocean",
                "park-lg",
                "qd-jimo",
                date(2026, 7, 9),
                None,
            ),
            (
                "base-fish-deepsea",
                "innovation_centre",
                "中国水产学会深远海养殖产业创新服务中心",
                "soc-fish",
                "ins-ysfri",
                "qd-shinan",
                date(2026, 6, 18),
                None,
            ),
        ]
        out = []
        for key, kind, name, soc, host, district, unveiled, services in specs:
            if services is None:
                services = []
                topics = TOPICS_BY_SOCIETY[soc]
                ents = [k for k, e in co.ENTERPRISES.items() if set(e[4]) & set(topics)]
                span = (_TODAY - unveiled).days - 2
                for offset in sorted(rng.sample(range(1, span), rng.randint(4, 7))):
                    ent_key = _pick(rng, ents)
                    t = TOPICS[next(x for x in co.ENTERPRISES[ent_key][4] if x in topics)]
                    v = _vocab(rng, t)
                    skind = _weighted(rng, [("event", 3), ("consultation", 4), ("project", 2)])
                    if skind == "event":
                        title = f"{t['name']}专题技术沙龙"
                    elif skind == "consultation":
                        title = f"{co.ENTERPRISES[ent_key][1]}{v['obj']}技术问诊"
                    else:
                        title = f"{v['obj']}{v['method']}联合攻关项目立项"
                    services.append((unveiled + timedelta(days=offset), skind, title))
            out.append(
                {
                    "key": key,
                    "kind": kind,
                    "name": name,
                    "society": soc,
                    "host": host,
                    "district": district,
                    "unveiled": unveiled.isoformat(),
                    "services": [{"date": d.isoformat(), "kind": k, "title": t} for d, k, t in services],
                }
            )
        return out

    # ----------------------------------------------------------------- all
    def build(self) -> dict:
        self.area_names = {c: n for c, n, _k, _p in co.AREAS}
        self.chain_names = {c: n for c, n, _t, _k in co.CHAINS}
        areas = self.areas()
        chains = self.chains()
        organisations = self.organisations()
        experts = self.experts()
        self.expert_aff = {e["key"]: e["affiliation"] for e in experts}
        achievements = self.achievements()
        teams = self.service_teams()
        users = self.users(experts)
        events = self.events()
        self.events_list = events
        visits = self.visits()
        self.visits_by_ent = {}
        for v in visits:
            for st in v["stops"]:
                self.visits_by_ent.setdefault(st["enterprise"], []).append(v)
        needs = self.needs()
        labels = self.labels(needs)
        agreements = self.agreements(needs, events)
        bases = self.bases()
        return {
            "meta": {
                "seed": self.seed,
                "today": DEMO_TODAY,
                "city": "青岛市",
                "note": "演示数据（虚构）：专家与用户姓名均为随机生成，除文章提及的海尔、双星、山东领军科技集团外企业均为虚构，所有需求、协议与数字仅用于系统演示。",
            },
            "areas": areas,
            "chains": chains,
            "organisations": organisations,
            "experts": experts,
            "achievements": achievements,
            "service_teams": teams,
            "needs": needs,
            "users": users,
            "labels": labels,
            "events": events,
            "visits": visits,
            "agreements": agreements,
            "bases": bases,
        }


def build_scenario(seed: int = DEFAULT_SEED) -> dict:
    """Build the whole demo world as plain data (deterministic for a given seed)."""
    return _Builder(seed).build()


def scenario_summary(s: dict) -> dict:
    """Counts per top-level key, experts per society, needs per status/kind."""
    counts = {k: len(v) for k, v in s.items() if isinstance(v, list | dict) and k != "meta"}
    names = {o["key"]: o["name"] for o in s["organisations"]}
    per_society: dict[str, int] = {}
    for o in s["organisations"]:
        if o["kind"] == "society":
            per_society[o["name"]] = 0
    for e in s["experts"]:
        per_society[names[e["societies"][0]]] += 1
    by_kind: dict[str, int] = {}
    for o in s["organisations"]:
        by_kind[o["kind"]] = by_kind.get(o["kind"], 0) + 1
    statuses = dict.fromkeys(STATUSES, 0)
    kinds = dict.fromkeys(NEED_KINDS, 0)
    for need in s["needs"]:
        statuses[need["status"]] += 1
        kinds[need["kind"]] += 1
    return {
        "counts": counts,
        "organisations_by_kind": by_kind,
        "experts_per_society": per_society,
        "needs_by_status": statuses,
        "needs_by_kind": kinds,
        "confidential_needs": sum(1 for x in s["needs"] if x["confidentiality"] != "public"),
        "major_needs": sum(1 for x in s["needs"] if x["major"]),
    }


def main() -> None:  # pragma: no cover - CLI helper
    import json

    print(json.dumps(scenario_summary(build_scenario()), ensure_ascii=False, indent=2))


if __name__ == "__main__":  # pragma: no cover
    main()
