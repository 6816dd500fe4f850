"""Does an entry answer the demand? Made-up entries and demands, judged without a database."""

from __future__ import annotations

from minyi.knowledge.relevance import key_words, prepare, relevance


def judge(question, answer, title, description="", tags=""):
    return relevance(title=title, description=description, question=question, tags=tags, answer=answer)


def test_a_complaint_about_cooking_fumes_is_not_answered_by_the_medical_insurance_dates():
    # what an operator saw: the fee calendar of medical insurance next to a barbecue complaint, because
    # "什么时候" and "每年" appeared in both
    found = judge(
        "城乡居民医保什么时候缴费？",
        "每年9月1日至12月31日为下一年度集中缴费期，可通过税务APP、微信或社区代收点缴纳。",
        "小区门口饭店油烟太大",
        "烧烤店的油烟进窗户，什么时候才能有人管？每年夏天都这样。",
        tags="居民医保,缴费,缴费期",
    )
    assert found.question_coverage == 0 and not found.answers


def test_the_question_the_demand_asks_is_answered():
    found = judge(
        "公积金贷款最高额度是多少？",
        "住房公积金贷款最高额度为单方缴存60万元、双方缴存70万元，按缴存余额和还款能力计算。",
        "公积金贷款额度怎么算",
        "想用住房公积金贷款买房，请问最高额度能贷多少？",
    )
    assert found.answers and found.question_coverage == 1.0


def test_a_demand_that_shares_the_topic_but_not_the_question_is_not_answered():
    # 户口 and 小孩 are said, 改姓 is not: the entry answers another question about 户口
    found = judge(
        "户口小孩改姓怎么办理？",
        "须经父母双方同意，携带户口簿、身份证到户籍所在地派出所办理。",
        "户口迁移需要什么材料",
        "想把小孩的户口从老家迁到城里，需要准备什么材料？",
    )
    assert found.missing_weight >= 8 and not found.answers


def test_one_shared_word_is_not_enough():
    found = judge(
        "灵活就业人员怎么缴纳住房公积金？",
        "年满18周岁、在本市就业且有合法收入的灵活就业人员，可到公积金中心开户缴存。",
        "住房公积金提取",
        "单位的住房公积金怎样提取出来用于租房？",
    )
    assert not found.answers


def test_place_codes_and_question_frames_say_nothing_about_the_question():
    assert "市买" not in prepare("咨询在A市买二套房资格的问题")
    assert key_words("咨询A7县居住证办理相关事宜") == ["居住证"]
    assert key_words("关于K11县县摩托车驾驶证注销的问题") == ["摩托车", "驾照", "注销"]


def test_synonyms_meet():
    # 驾驶证 and 驾照, 户籍 and 户口, 医疗保险 and 医保 are one word each
    assert key_words("驾驶证 户籍 医疗保险") == key_words("驾照 户口 医保")


def test_tags_give_callers_words_without_being_required():
    without = judge("饭店油烟扰民找哪个部门？", "餐饮油烟由区生态环境分局查处。", "烧烤店油烟太大怎么投诉")
    tagged = judge(
        "饭店油烟扰民找哪个部门？",
        "餐饮油烟由区生态环境分局查处。",
        "烧烤店油烟太大怎么投诉",
        tags="烧烤店,油烟,餐饮",
    )
    assert tagged.demand_coverage > without.demand_coverage
    assert tagged.question_coverage == without.question_coverage
