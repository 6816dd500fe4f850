"""Small hand-written demands of three kinds, enough to train the classifier in a test."""

from __future__ import annotations

import itertools

PLACES = ["东城社区", "西城社区", "幸福小区", "阳光花园", "锦绣苑", "和平路", "建设大道", "南湖街道"]
HEATING = [
    "{p}暖气不热，室温只有十四度，老人孩子受冻",
    "{p}供暖温度不达标，家里暖气片冰凉，请热力公司处理",
    "{p}今年供热一直不好，暖气时冷时热，交了取暖费却不热",
    "{p}楼内暖气管道漏水，供暖中断两天了",
]
ROADS = [
    "{p}路面坑洼不平，下雨积水，车辆无法通行",
    "{p}道路破损严重，井盖缺失，夜间行人容易摔倒",
    "{p}人行道砖块松动翘起，请尽快修补路面",
    "{p}马路上有大坑，电动车经过已经摔倒多人，希望维修道路",
]
INSURANCE = [
    "{p}居民咨询医保报销比例，住院费用报销太少",
    "{p}异地就医医保结算不了，需要回去报销很麻烦",
    "{p}城乡居民医疗保险缴费后查询不到参保记录",
    "{p}门诊慢性病医保待遇怎么申请，需要哪些材料",
]
TOPICS = {"heating": HEATING, "roads": ROADS, "insurance": INSURANCE}


def examples(per_topic: int = 24) -> tuple[list[str], list[str]]:
    texts, labels = [], []
    for label, patterns in TOPICS.items():
        combos = itertools.islice(itertools.cycle(itertools.product(patterns, PLACES)), per_topic)
        for pattern, place in combos:
            texts.append(pattern.format(p=place))
            labels.append(label)
    return texts, labels
