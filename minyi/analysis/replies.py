"""Reply quality (答复质量): how well a handling unit's reply answers the demand, scored by plain rules.

The console calls `assess_reply` twice: when a unit is about to send its reply (it sees the warnings and
can add what is missing) and when a dispatcher is about to close the order (they see the same warnings
before accepting the reply). Four things are scored, each 0..1:

- **relevance**: does the reply talk about what the demand is about? The demand's key terms (its
  content words weighted by TF-IDF) are looked for in the reply's *own* text: formulae ("您的留言已
  收悉", "感谢您的关心") and passages copied from the demand (a quoted title, a quoted question) are
  taken out first, because repeating the question is not answering it.
- **completeness**: four parts, each present or not: the reply addresses the requester, gives an
  answer of substance, states a basis, and says what happens next (or that the matter is resolved, or
  whom to contact).
- **basis**: does it cite a law, policy or document (《…条例》, a document number such as
  "〔2019〕12号", an article "第十二条")? A vague "根据有关规定" earns half.
- **timeliness**: working days from receipt to reply on the Chinese working-day calendar, against the
  deadline.

The overall score (0..100) is their weighted mean; a boilerplate non-answer ("已收悉", "已转交相关部门",
"正在处理中" and nothing else) is capped low whatever else it has. Every rule — patterns, weights,
thresholds — is in the tables below with its reason; docs/analysis/replies.md shows what they give on
2,816 real replies (bench/replies.py).

Plain Python, no Django (tests/analysis/test_replies.py). Text goes through `text.normalise` first, so
full-width punctuation arrives as ASCII ("：" → ":", "，" → ","), while 。、“”《》〔〕 stay as written.
"""

from __future__ import annotations

import functools
import importlib.resources
import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple, Protocol

from minyi.analysis.text import CODE, HAN, NUMBER, content_words, normalise
from minyi.workcal.calendar import LimitUnit, WorkCalendar

__all__ = [
    "WARNING_MESSAGES",
    "WEIGHTS",
    "Basis",
    "Completeness",
    "DocumentFrequencies",
    "Relevance",
    "ReplyAssessment",
    "ReplyWarning",
    "TermWeights",
    "Timeliness",
    "assess_reply",
    "builtin_weights",
    "document_frequencies",
]


def _word_set(text: str) -> frozenset[str]:
    """The space-separated words of `text`: word lists below stay readable as lines of text."""
    return frozenset(text.split())


# =====================================================================================================
# The rules. Change them here; the tests and docs/analysis/replies.md describe their effect.
# =====================================================================================================

# Weights of the overall score. Answering the actual question (relevance + completeness) matters most
# to the requester. Basis is also one of the four completeness parts; its own weight rewards naming the
# law or document rather than "有关规定". Timeliness weighs least: lateness is already measured by the
# on-time rate (按时办结率), and a late but full answer is worth more than a prompt empty one. Parts that
# cannot be judged (no demand text, no times) drop out and the rest are re-weighted.
WEIGHTS: Mapping[str, float] = {
    "relevance": 0.30,
    "completeness": 0.35,
    "basis": 0.15,
    "timeliness": 0.20,
}

# A boilerplate non-answer scores at most this, however prompt and polite: it tells the requester nothing.
# (A too short one is capped too: TOO_SHORT_SCORE_CAP below.)
BOILERPLATE_SCORE_CAP = 15

# --- substance ----------------------------------------------------------------------------------------
# A reply is cut into clauses at these marks (after normalise: full-width ，：；！？ are ASCII). The
# enumeration comma 、 is not a cut: "关心、监督与支持" is one formula, not two pieces.
CLAUSE_BREAK = re.compile(r"[。!?;,:…\n]+")

# A clause is a formula when it contains one of these and is no longer than FORMULA_CLAUSE_MAX_HAN
# Chinese characters: greeting, acknowledgement, forwarding, "being handled", thanks, the preamble of
# the answer, courtesies, a date. What is left once formulae, the closing signature and copies of the
# demand are gone is the reply's substance.
FORMULA_CORES: tuple[tuple[str, str], ...] = (
    # (what, pattern)
    ("greeting", r"[您你]好|尊敬的|^(亲爱的)?(网友|市民|群众|朋友)[们]?$|^[“\"]?uu\d+[”\"]?"),
    ("acknowledgement", r"收悉|收到|收阅|已阅|获悉|知悉"),
    (
        "forwarding",
        r"(已|已经|现|我们|我办|并)?(转|转交|转至|转给|转到|转办|交由|移交|交办|批转|呈报)"
        r"(给)?.{0,18}?(部门|单位|科室|局|委|办|中心|公司|政府|街道|镇|乡|队|所|院|站|处|科|会)",
    ),
    (
        "in_hand",
        r"正在.{0,6}(处理|办理|调查|核实|核查|研究|协调|跟进)|(调查|核实|处理|办理)中(?![心学队])|"
        r"(尽快|及时|积极|迅速|认真|抓紧).{0,4}(处理|办理|回复|答复|反馈|核实|调查|核处|办复)|"
        r"(核实|调查|核查)?(处理|处置|核处|办复|办理)(后|完毕后)?.{0,4}(回复|答复|反馈)|敬请(关注|等待|留意)|耐心等待",
    ),
    ("thanks", r"感谢|谢谢|多谢|致谢|祝您|祝你|欢迎.{0,4}(监督|关注)"),
    (
        "preamble",
        r"(回复|答复|说明|回应)如下|现(将|就|作|对).{0,12}(回复|答复|说明)|特此(回复|答复|说明)|"
        r"已(进行过|作出|做出|经)?(回复|答复)|(关于|针对|对于|就)[您你].{0,4}(反映|提出|咨询|留言|来信|所提)|"
        r"[您你].{0,2}(反映|提出|咨询|所提)的(问题|情况|事项|建议|意见)|^经(调查|核实|核查|了解|查|研究)",
    ),
    (
        "courtesy",
        r"高度重视|敬请谅解|如有(其他|任何|相关)?(疑问|问题|情况)|以上是.{0,10}(回复|答复)|"
        r"(会|将).{0,4}(向您|给您).{0,2}(反馈|回复)|^网民朋友$",
    ),
    ("date", r"^\d{4}年(\d{1,2}月(\d{1,2}日?)?)?$|^\d{1,2}月\d{1,2}日$|^\d{4}[-./]\d{1,2}[-./]\d{1,2}$"),
)
FORMULA_CORE = re.compile("|".join(f"(?:{pattern})" for _, pattern in FORMULA_CORES))
# The sender's name and date close a reply ("J7县教育局 2019年1月25日"). Only the last clauses are read
# as a signature: in the body, "请咨询市人社局" is a (thin) answer, not a signature.
SIGNATURE = re.compile(
    r"^[\w()]{0,16}(局|办|委员会|委|公司|政府|街道办事处|街道|镇|乡|中心|大队|支队|中队|管理所|派出所|"
    r"院|站|处|科|社区|村委会|办公室|领导小组)(\d{4}年(\d{1,2}月(\d{1,2}日?)?)?)?$"
)
SIGNATURE_CLAUSES = 2
# Long enough for "我们已将您反映的问题转相关部门进行处理" (19) and "感谢您对本次招聘工作的关心、监督与支持"
# (19); short enough that a clause with facts in it ("经现场核实，该路段路灯已于5月3日更换为节能灯")
# is not thrown away just because it says 核实 or 感谢.
FORMULA_CLAUSE_MAX_HAN = 24

# Below this many Chinese characters of substance the reply is boilerplate: nothing but formulae.
# A few characters survive in real non-answers ("此事" of "此事正在调查处理中").
BOILERPLATE_MAX_HAN = 6
# Below this it has some substance but too little to be an answer ("请咨询市人社部门", "按照现有的
# 规定，B市没有此类规定"): 40 characters is about two plain sentences of fact. Such a reply does not
# count as answered, and scores at most TOO_SHORT_SCORE_CAP however relevant its few words are.
TOO_SHORT_BELOW_HAN = 40
TOO_SHORT_SCORE_CAP = 50

# --- relevance ----------------------------------------------------------------------------------------
# A run of at least this many characters that also occurs in the demand is a quotation of it ("关于
# “对K7县教师试教招聘的2点质疑”的问题"); it is removed before relevance is measured. Eight characters
# is longer than almost every word and most place names, so the reply keeps its own short terms.
COPY_MIN_CHARS = 8
# The demand's key terms: its KEY_TERMS heaviest content words by TF-IDF. A long demand tells a story;
# its heaviest dozen words are what it is about, so relevance does not fall with the demand's length.
KEY_TERMS = 12
# Key terms are taken from the demand's first DEMAND_HEAD_CHARS characters (the title comes first).
# A demand names its matter at the start; segmenting a 5,000-character petition whole would cost most
# of the time of an assessment (jieba, about 1 ms per 250 characters) for little change in its key
# terms (on the real replies, 400 instead of 600 characters moved the off-topic rate by half a point).
DEMAND_HEAD_CHARS = 400
# Share of the key terms' weight the reply must use to count as fully relevant. Real good replies use
# about half of the demand's key terms (the rest is the requester's story); see the docs.
RELEVANCE_FULL_AT = 0.45
# Below this share the reply is off topic. On the real replies (docs/analysis/replies.md) 0.08 flags 7 %
# of true pairs with some substance (mostly referrals and answers in other words) and 93 % of the same
# replies given to a random other demand; a higher threshold catches few more shuffled pairs but many
# more true ones, and a false "off topic" is what makes people stop reading warnings.
OFF_TOPIC_BELOW = 0.08

# A term of three or more characters that the reply does not use whole earns this share of its weight
# when the reply uses its first or last two characters: Chinese compounds share their head ("人工降雨"
# / "人工增雨", "公交车" / "公交线路").
PARTIAL_CREDIT = 0.5

# Words of government letters on any subject: they say nothing about the topic, so they are never key
# terms, whatever the frequency table says.
GENERIC_WORDS = _word_set(
    "问题 反映 反应 情况 回复 答复 网友 留言 来信 收悉 收到 相关 有关 部门 单位 "
    "工作 进行 处理 办理 核实 调查 了解 支持 关心 关注 监督 理解 希望 要求 请求 "
    "如下 现将 我局 我办 我市 我县 我区 我镇 政府 书记 市长 县长 区长 市民 群众 "
    "居民 百姓 老百姓 网民 解决 相关部门 有关部门 帮助 投诉 举报 咨询 建议 意见 领导 "
    "同志 先生 女士 您好 你好 尊敬 谢谢 感谢 联系 电话 联系电话 已经 经过 根据 按照 "
    "规定 政策 及时 尽快 认真 积极 特此 表示 存在 发现 出现 没有 需要 可以 应该 "
    "方面 一直 多次 本人 我们 大家"
)
# The built-in IDF is jieba's own table (jieba/analyse/idf.txt, from a large general corpus), so it
# works on any district's text from the first case. Words rarer than its median count as the median,
# as jieba does. Everyday words sit near 4 ("问题" 4.0, "很多" 4.9), topic words well above ("垃圾"
# 8.0, "孔明灯" 12.5): the floor is subtracted so that everyday words weigh almost nothing.
BUILTIN_IDF_FLOOR = 4.5
# A word the IDF table does not know is a key term only if the demand uses it this often. Most unknown
# words are segmentation accidents of names ("县舜", "田至") and occur once; a real name that matters
# ("荣合桥", "雅林士") is usually repeated.
UNKNOWN_MIN_COUNT = 2
# `document_frequencies` keeps words found in at least this many texts (see there).
MIN_DOCUMENT_COUNT = 2

# --- basis --------------------------------------------------------------------------------------------
# A title in 《》 is a basis when it names a kind of normative document; 《全效学习》 (a workbook) or
# 《西地日报》 (a newspaper) is not. A trailing "(试行)" or "(2019年修订)" is allowed.
DOCUMENT_KINDS = _word_set(
    "法 条例 办法 规定 细则 意见 通知 通告 公告 决定 方案 规划 标准 规范 规程 解释 批复 纲要 指南 指引 "
    "制度 章程 准则 规则 通则 目录 政策 计划 合同 协议 令 函 纪要 要点 清单 须知 答复 决议 公约"
)
CITED_TITLE = re.compile(
    r"《([^《》]{2,80}?(?:" + "|".join(sorted(DOCUMENT_KINDS)) + r")(?:\([^()]{1,12}\))?)》"
)
# A document number: 郴价费〔2012〕2号, 湘政发[2019]12号, 国务院令第588号. The issuer's abbreviation
# before the year is read back over at most ISSUER_MAX_CHARS characters and stops at a citing word, so
# "该收费符合郴价费〔2012〕2号" cites "郴价费〔2012〕2号".
DOCUMENT_NUMBER = re.compile(r"[〔\[(【]\d{4}[〕\])】]第?\d{1,4}号|令第?\d{1,4}号|第\d{1,4}号令")
ISSUER_MAX_CHARS = 6
CITING_WORDS = re.compile(r".*(根据|依据|按照|依照|参照|遵照|符合|执行|落实|印发|下发|转发|文件|的)")
# An article of a law: 第十二条, 第3条第二款.
ARTICLE = re.compile(r"第[一二三四五六七八九十百零〇\d]{1,5}条(?:第[一二三四五六七八九十\d]{1,3}[款项])?")
# Pointing at rules without naming them: half the credit, and a warning to name them.
VAGUE_BASIS = re.compile(
    r"(根据|按照|依据|依照|遵照|参照)(国家|省|市|县|区|上级)?(的)?(有关|相关|现行|现有)?"
    r"(法律|法规|规定|政策|文件|条例|精神|标准)"
)
BASIS_SCORES: Mapping[str, float] = {"cited": 1.0, "vague": 0.5, "none": 0.0}

# --- completeness -------------------------------------------------------------------------------------
# Addressing the requester, looked for at the start of the reply (where Chinese replies address them).
GREETING = re.compile(r"[您你]好|尊敬的|^(亲爱的)?(网友|市民|群众|朋友)|^[“\"]?uu\d+|同志|先生|女士")
GREETING_WINDOW = 60
# What happens next: a plan, a commitment, a date. Looked for in the substance only, so the formula
# "我们将尽快处理" does not count.
NEXT_STEP = re.compile(
    r"下一步|接下来|今后|后续|近期|计划|预计|拟(于|在|将|对)|争取|力争|待.{1,15}后|届时|"
    r"将(继续|进一步|加强|加大|督促|组织|安排|协调|联合|开展|按照|严格|持续|全力|会同|于|在|对|把|派|"
    r"启动|完成|配合|建立|纳入|推进|实施|逐步|适时|及时|尽快|依法)|"
    r"会(继续|进一步|加强|及时|持续|尽快)|持续(关注|跟踪|推进|督促)|跟踪(督办|落实|处理|问效)"
)
# The matter is settled: no next step is needed.
RESOLVED = re.compile(
    r"已(经)?.{0,20}?(全部|基本)?(完成|完毕|解决|整改|修复|修好|维修|清理|清运|清除|拆除|办结|恢复|落实|发放|补发|"
    r"到位|更换|安装|疏通|退还|退回|纠正|查处|处罚|关停|取缔|停止|撤销|开通|铺设|硬化|签订|支付|"
    r"结清|兑现|审批|办理完毕|处理完毕|妥善处理|得到(妥善)?(处理|解决))"
)
# Whom to contact: a phone number (also the anonymised 0000-00000000) or the words for one.
CONTACT = re.compile(
    r"联系电话|咨询电话|服务电话|监督电话|热线|联系人|联系方式|致电|拨打|电话[:：]?\d|"
    # Not inside an anonymised user id ("uu0081855").
    r"(?<![\da-z])(0\d{2,3}-?\d{7,8}|1[3-9]\d{9}|\d{7,8})(?!\d)"
)
# Parts of completeness, equally weighted: each is something the requester needs.
COMPLETENESS_PARTS = ("addressed", "answered", "based", "follows_up")

# --- timeliness ---------------------------------------------------------------------------------------
# When no deadline is given: the longest common limit for a complaint, report or suggestion
# (DOMAIN.md: 5–15 working days). Pass the case's own deadline whenever there is one.
DEFAULT_LIMIT_WORKING_DAYS = 15
# Score by the share of the allowed time used, as the warning lights: green up to 80 %, yellow up to
# the deadline, red after it; a reply later than twice the allowed time earns nothing.
TIMELINESS_STEPS: tuple[tuple[float, float], ...] = (
    # (used share at most, score)
    (0.8, 1.0),
    (1.0, 0.8),
    (2.0, 0.3),
    (math.inf, 0.0),
)

# --- warnings -----------------------------------------------------------------------------------------
# Stable codes (the console and reports key on them) with what to add, in the unit's language.
# `late` gets the number of working days filled in.
WARNING_MESSAGES: Mapping[str, str] = {
    "boilerplate": (
        "答复只有“已收悉”“已转交”“正在处理”等套话，没有实际内容：请写明调查核实的情况、处理结果或明确的答复"
    ),
    "too_short": "答复内容过少：请写明调查核实的情况、处理结果及其依据",
    "off_topic": ("答复与诉求内容关联很弱：请针对诉求人反映的具体问题作答（复述诉求标题不算作答）"),
    "no_greeting": "答复未称呼诉求人：请以“您好”等称呼开头",
    "no_basis": "答复未说明处理依据：请引用相关法规、政策或文件",
    "vague_basis": "答复只笼统提到“有关规定”：请写明法规、政策或文件的名称、文号或条款",
    "no_next_step": "答复未说明下一步：请写明后续将如何处理、何时办结，或说明问题已经解决",
    "no_contact": "答复未留联系方式：请写明承办单位的联系电话或联系人，便于诉求人进一步咨询",
    "late": "答复超过办理时限{days}个工作日：请在答复中说明延误原因",
}
# Warnings a boilerplate reply does not also get: "write a real answer" already says it.
IMPLIED_BY_BOILERPLATE = frozenset({"too_short", "off_topic"})

# =====================================================================================================
# Results
# =====================================================================================================


class ReplyWarning(NamedTuple):
    """One thing to add to a reply: a stable `code` and the Chinese `message` saying what to add."""

    code: str
    message: str


@dataclass(frozen=True)
class Relevance:
    """Whether the reply talks about the demand. `score` is None when the demand has no content words."""

    score: float | None
    coverage: float  # share of the key terms' weight that the reply's own text uses
    key_terms: tuple[str, ...]  # the demand's key terms, heaviest first
    found: tuple[str, ...]  # those the reply uses outside formulae and quotations of the demand


@dataclass(frozen=True)
class Basis:
    """Whether the reply says what its handling rests on."""

    score: float
    citations: tuple[str, ...]  # 《titles》, document numbers and articles found, in order
    vague: str | None  # a "根据有关规定" without a name, when nothing is cited


@dataclass(frozen=True)
class Completeness:
    """The four parts a reply needs; each `…: str | None` field is the evidence found (an excerpt)."""

    score: float  # share of the four parts present
    addressed: bool  # addresses the requester ("网友您好", "尊敬的…")
    answered: bool  # has an answer of substance beyond formulae
    based: bool  # states a basis (cited or vague)
    follows_up: bool  # says what happens next, that the matter is resolved, or whom to contact
    greeting: str | None = None
    answer: str | None = None  # the first clause of substance
    next_step: str | None = None
    resolved: str | None = None
    contact: str | None = None


@dataclass(frozen=True)
class Timeliness:
    """Working time from receipt to reply. Everything is None when the times are not given."""

    score: float | None
    working_days: float | None = None  # taken, in working days (working time ÷ one working day)
    allowed_working_days: float | None = None
    due_at: datetime | None = None
    within_deadline: bool | None = None


@dataclass(frozen=True)
class ReplyAssessment:
    """The quality of one reply: sub-scores, overall score 0..100, and the warnings to show."""

    score: int
    relevance: Relevance
    completeness: Completeness
    basis: Basis
    timeliness: Timeliness
    boilerplate: bool
    substance_chars: int  # Chinese characters of the reply outside formulae and quotations
    warnings: tuple[ReplyWarning, ...] = field(default=())

    @property
    def warning_codes(self) -> tuple[str, ...]:
        return tuple(w.code for w in self.warnings)


# =====================================================================================================
# Document frequencies (the IDF of relevance)
# =====================================================================================================


class TermWeights(Protocol):
    """Anything that gives a word its IDF: `DocumentFrequencies` or the built-in table.

    `idf` is None for a word the table has never seen: such a word is a key term only when the demand
    repeats it (UNKNOWN_MIN_COUNT), and then weighs `unknown_idf`.
    """

    unknown_idf: float

    def idf(self, word: str) -> float | None: ...


@dataclass(frozen=True)
class DocumentFrequencies:
    """In how many of `documents` texts each word occurs: the IDF of a district's own cases."""

    documents: int
    counts: Mapping[str, int]

    @property
    def unknown_idf(self) -> float:
        # As if the word were in one text: the rarest a counted word can be.
        return math.log((1 + self.documents) / 2)

    def idf(self, word: str) -> float | None:
        count = self.counts.get(word)
        # Smoothed so that a word in every text weighs about nothing.
        return None if count is None else math.log((1 + self.documents) / (1 + count))


def document_frequencies(texts: Iterable[str]) -> DocumentFrequencies:
    """Document frequencies learnt from a district's own texts (demands, or demands and replies)."""
    counts: Counter[str] = Counter()
    documents = 0
    for text in texts:
        documents += 1
        counts.update(set(_terms(text)))
    # A word of one text only is mostly a segmentation accident ("县舜" of "K4县舜皇城"): not counted,
    # so it is unknown, as it would be to a table built before that text came in.
    return DocumentFrequencies(
        documents=documents, counts={word: n for word, n in counts.items() if n >= MIN_DOCUMENT_COUNT}
    )


class _BuiltinWeights:
    """jieba's general-corpus IDF less BUILTIN_IDF_FLOOR (see the table at the top)."""

    def __init__(self) -> None:
        idf: dict[str, float] = {}
        source = importlib.resources.files("jieba.analyse").joinpath("idf.txt")
        for line in source.read_text(encoding="utf-8").splitlines():
            word, _, value = line.partition(" ")
            if value:
                idf[word] = float(value)
        self._idf = idf
        # jieba weighs an unseen word at the table's median; so do we (when the demand repeats it).
        self.unknown_idf = sorted(idf.values())[len(idf) // 2] - BUILTIN_IDF_FLOOR

    def idf(self, word: str) -> float | None:
        value = self._idf.get(word)
        return None if value is None else max(0.0, value - BUILTIN_IDF_FLOOR)


@functools.cache
def builtin_weights() -> TermWeights:
    """The built-in IDF (loaded once per process, about 0.2 s)."""
    return _BuiltinWeights()


# =====================================================================================================
# Assessment
# =====================================================================================================


def assess_reply(
    *,
    demand: str,
    reply: str,
    received_at: datetime | None = None,
    replied_at: datetime | None = None,
    due_at: datetime | None = None,
    calendar: WorkCalendar | None = None,
    frequencies: TermWeights | None = None,
) -> ReplyAssessment:
    """Assess a unit's `reply` to a `demand` (title and detail as the requester wrote them).

    Times must be timezone-aware. Timeliness is judged when `received_at` and `replied_at` are given
    (pass the current time as `replied_at` when the unit is about to send); `due_at` is the case's
    deadline, else DEFAULT_LIMIT_WORKING_DAYS after receipt. `frequencies` gives the IDF of the
    demand's words: the district's table (`document_frequencies` over its cases), else jieba's
    general-corpus table (`builtin_weights`).
    """
    text = normalise(reply)
    own = _remove_copies(text, normalise(demand))
    substance = _substance(own)
    substance_chars = sum(len(HAN.findall(clause)) for clause in substance)
    boilerplate = substance_chars <= BOILERPLATE_MAX_HAN

    # Joined with a full stop so that no term is "found" across the seam of two clauses.
    relevance = _relevance(demand, "。".join(substance), frequencies or builtin_weights())
    basis = _basis(text)
    completeness = _completeness(text, substance, substance_chars, basis)
    timeliness = _timeliness(received_at, replied_at, due_at, calendar)

    score = _overall(relevance, completeness, basis, timeliness)
    if boilerplate:
        score = min(score, BOILERPLATE_SCORE_CAP)
    elif substance_chars < TOO_SHORT_BELOW_HAN:
        score = min(score, TOO_SHORT_SCORE_CAP)
    warnings = _warnings(boilerplate, substance_chars, relevance, completeness, basis, timeliness)
    return ReplyAssessment(
        score=score,
        relevance=relevance,
        completeness=completeness,
        basis=basis,
        timeliness=timeliness,
        boilerplate=boilerplate,
        substance_chars=substance_chars,
        warnings=warnings,
    )


# -- substance -----------------------------------------------------------------------------------------


def _remove_copies(reply: str, demand: str) -> str:
    """The reply with every run of COPY_MIN_CHARS or more characters found in the demand cut out.

    A cut becomes a clause break, so "关于“<title>”的问题" falls apart into formula fragments.
    """
    n = COPY_MIN_CHARS
    if len(reply) < n or len(demand) < n:
        return reply
    grams = {demand[i : i + n] for i in range(len(demand) - n + 1)}
    copied = [False] * len(reply)
    for i in range(len(reply) - n + 1):
        if reply[i : i + n] in grams:
            copied[i : i + n] = [True] * n
    if not any(copied):
        return reply
    return "".join("\n" if cut else ch for ch, cut in zip(reply, copied, strict=True))


def _substance(text: str) -> list[str]:
    """The clauses of the reply that are not formulae, nor the closing signature."""
    clauses = [part for part in CLAUSE_BREAK.split(text) if HAN.search(part) and not _is_formula(part)]
    for _ in range(SIGNATURE_CLAUSES):
        if clauses and SIGNATURE.match(clauses[-1]):
            clauses.pop()
    return clauses


def _is_formula(clause: str) -> bool:
    return FORMULA_CORE.search(clause) is not None and len(HAN.findall(clause)) <= FORMULA_CLAUSE_MAX_HAN


# -- relevance -----------------------------------------------------------------------------------------


def _terms(text: str) -> list[str]:
    """Content words that can carry a topic: no bare numbers, anonymised user ids or single letters."""
    return [
        word
        for word in content_words(_EXCEL_LINE_BREAK.sub("", text))
        if not NUMBER.fullmatch(word) and not _USER_ID.fullmatch(word) and (len(word) > 1 or HAN.match(word))
    ]


_USER_ID = re.compile(r"uu\d+")
# Line breaks of texts that went through Excel arrive as the literal "_x000D_".
_EXCEL_LINE_BREAK = re.compile(r"_x000d_", re.IGNORECASE)


def _relevance(demand: str, own_text: str, weights: TermWeights) -> Relevance:
    key = _key_terms(demand, weights)
    if not key:
        return Relevance(score=None, coverage=0.0, key_terms=(), found=())
    credit = {term: _credit(term, own_text) for term in key}
    coverage = sum(key[term] * credit[term] for term in key) / sum(key.values())
    return Relevance(
        score=round(min(1.0, coverage / RELEVANCE_FULL_AT), 3),
        coverage=round(coverage, 3),
        key_terms=tuple(key),
        found=tuple(term for term in key if credit[term]),
    )


def _credit(term: str, own_text: str) -> float:
    """How far the reply's own text uses `term`: 1 whole, PARTIAL_CREDIT for its head or tail, else 0.

    Substring search rather than the reply's own segmentation: jieba may cut "荣合桥社区" in the demand
    and "荣合桥社区内" in the reply differently, and the term is there all the same.
    """
    if term in own_text:
        return 1.0
    if len(term) >= 3 and HAN.match(term) and (term[:2] in own_text or term[-2:] in own_text):
        return PARTIAL_CREDIT
    return 0.0


def _key_terms(demand: str, weights: TermWeights) -> dict[str, float]:
    """The demand's KEY_TERMS heaviest terms by (1 + log tf) × idf, heaviest first."""
    counts = Counter(term for term in _terms(demand[:DEMAND_HEAD_CHARS]) if term not in GENERIC_WORDS)
    tf_idf = {}
    for term, count in counts.items():
        # Anonymised place codes ("a7", "k3") stand for every place of a data set, like 问题: no topic.
        if CODE.fullmatch(term):
            continue
        idf = weights.idf(term)
        if idf is None:
            if count < UNKNOWN_MIN_COUNT:
                continue
            idf = weights.unknown_idf
        tf_idf[term] = (1 + math.log(count)) * idf
    ranked = sorted(tf_idf.items(), key=lambda item: (-item[1], item[0]))
    return {term: weight for term, weight in ranked[:KEY_TERMS] if weight > 0}


# -- basis ---------------------------------------------------------------------------------------------


def _basis(text: str) -> Basis:
    found = sorted(
        [
            (match.start(), match.group(0))
            for pattern in (CITED_TITLE, ARTICLE)
            for match in pattern.finditer(text)
        ]
        + [
            (match.start(), _issuer(text, match.start()) + match.group(0))
            for match in DOCUMENT_NUMBER.finditer(text)
        ]
    )
    citations = tuple(dict.fromkeys(citation for _, citation in found))
    if citations:
        return Basis(score=BASIS_SCORES["cited"], citations=citations, vague=None)
    vague = VAGUE_BASIS.search(text)
    if vague:
        return Basis(score=BASIS_SCORES["vague"], citations=(), vague=vague.group(0))
    return Basis(score=BASIS_SCORES["none"], citations=(), vague=None)


def _issuer(text: str, start: int) -> str:
    """The issuer's abbreviation just before a document number ("郴价费" of "郴价费〔2012〕2号")."""
    before = text[max(0, start - ISSUER_MAX_CHARS) : start]
    han = re.search(r"[\u4e00-\u9fff]*$", before)
    issuer = han.group(0) if han else ""
    citing = CITING_WORDS.match(issuer)
    return issuer[citing.end() :] if citing else issuer


# -- completeness --------------------------------------------------------------------------------------


def _completeness(text: str, substance: list[str], substance_chars: int, basis: Basis) -> Completeness:
    greeting = _clause_with(GREETING, CLAUSE_BREAK.split(text[:GREETING_WINDOW]))
    next_step = _clause_with(NEXT_STEP, substance)
    resolved = _clause_with(RESOLVED, substance)
    contact = _first(CONTACT, text)
    parts = {
        "addressed": greeting is not None,
        "answered": substance_chars >= TOO_SHORT_BELOW_HAN,
        "based": bool(basis.citations) or basis.vague is not None,
        "follows_up": bool(next_step or resolved or contact),
    }
    return Completeness(
        score=round(sum(parts[name] for name in COMPLETENESS_PARTS) / len(COMPLETENESS_PARTS), 3),
        **parts,
        greeting=greeting,
        answer=_excerpt(substance[0]) if parts["answered"] else None,
        next_step=next_step,
        resolved=resolved,
        contact=contact,
    )


def _first(pattern: re.Pattern[str], text: str) -> str | None:
    match = pattern.search(text)
    return match.group(0) if match else None


def _clause_with(pattern: re.Pattern[str], clauses: list[str]) -> str | None:
    """The first clause (as an excerpt) in which `pattern` occurs."""
    for clause in clauses:
        if pattern.search(clause):
            return _excerpt(clause)
    return None


def _excerpt(clause: str, limit: int = 40) -> str:
    return clause if len(clause) <= limit else clause[: limit - 1] + "…"


# -- timeliness ----------------------------------------------------------------------------------------


@functools.cache
def _default_calendar() -> WorkCalendar:
    return WorkCalendar()


def _timeliness(
    received_at: datetime | None,
    replied_at: datetime | None,
    due_at: datetime | None,
    calendar: WorkCalendar | None,
) -> Timeliness:
    if received_at is None or replied_at is None:
        return Timeliness(score=None, due_at=due_at)
    calendar = calendar or _default_calendar()
    if due_at is None:
        due_at = calendar.due_after(received_at, DEFAULT_LIMIT_WORKING_DAYS, LimitUnit.WORKING_DAYS)
    day = calendar.working_day_length
    taken = calendar.elapsed(received_at, replied_at, LimitUnit.WORKING_DAYS) / day
    allowed = calendar.elapsed(received_at, due_at, LimitUnit.WORKING_DAYS) / day
    used = taken / allowed if allowed > 0 else (0.0 if replied_at <= due_at else math.inf)
    score = next(value for limit, value in TIMELINESS_STEPS if used <= limit)
    return Timeliness(
        score=score,
        working_days=round(taken, 2),
        allowed_working_days=round(allowed, 2),
        due_at=due_at,
        within_deadline=replied_at <= due_at,
    )


# -- overall score and warnings ------------------------------------------------------------------------


def _overall(relevance: Relevance, completeness: Completeness, basis: Basis, timeliness: Timeliness) -> int:
    scores = {
        "relevance": relevance.score,
        "completeness": completeness.score,
        "basis": basis.score,
        "timeliness": timeliness.score,
    }
    known = {name: value for name, value in scores.items() if value is not None}
    total_weight = sum(WEIGHTS[name] for name in known)
    return round(100 * sum(WEIGHTS[name] * value for name, value in known.items()) / total_weight)


def _warnings(
    boilerplate: bool,
    substance_chars: int,
    relevance: Relevance,
    completeness: Completeness,
    basis: Basis,
    timeliness: Timeliness,
) -> tuple[ReplyWarning, ...]:
    codes = []
    if boilerplate:
        codes.append("boilerplate")
    if substance_chars < TOO_SHORT_BELOW_HAN:
        codes.append("too_short")
    if relevance.score is not None and relevance.coverage < OFF_TOPIC_BELOW:
        codes.append("off_topic")
    if not completeness.addressed:
        codes.append("no_greeting")
    if basis.vague is not None:
        codes.append("vague_basis")
    elif not basis.citations:
        codes.append("no_basis")
    if completeness.next_step is None and completeness.resolved is None:
        codes.append("no_next_step")
    if completeness.contact is None:
        codes.append("no_contact")
    if timeliness.within_deadline is False:
        codes.append("late")
    if boilerplate:
        codes = [code for code in codes if code not in IMPLIED_BY_BOILERPLATE]
    return tuple(_warning(code, timeliness) for code in codes)


def _warning(code: str, timeliness: Timeliness) -> ReplyWarning:
    message = WARNING_MESSAGES[code]
    if code == "late":
        late = (timeliness.working_days or 0) - (timeliness.allowed_working_days or 0)
        message = message.format(days=f"{max(late, 0.1):.1f}".removesuffix(".0"))
    return ReplyWarning(code, message)
