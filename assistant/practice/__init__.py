"""Practice: graded quizzes on the question bank and mock assessor interviews.

    Practice.from_settings() ─► next_questions ─► answer (grade, record once, FSRS card)
                             ─► start_interview ─► answer_interview (free-text grade)
                             ─► stats (queue, mastery per area, audit-day recall)

Interview sessions keep their turns as JSON: a ``{"kind": "plan", "questions": [...],
"prompts": [...]}`` turn, then one ``{"kind": "answer", "question_id", "prompt", "answer",
"score", "verdict", "matched_facts", "missing_facts", "similarity", "model_answer",
"citations", "follow_up", "key"}`` turn per answer.
"""

from assistant.practice.facts import Fact, extract_facts
from assistant.practice.freetext import FreeTextGrade, FreeTextGrader, GradingPolicy
from assistant.practice.grading import Grade, PracticeError, grade, letter
from assistant.practice.interview import InterviewQuestion, PreparedQuestion, load_interviews
from assistant.practice.interviewing import Interviews, InterviewStep
from assistant.practice.service import PersonStats, Practice, QuizItem, QuizResult

__all__ = [
    "Fact",
    "FreeTextGrade",
    "FreeTextGrader",
    "Grade",
    "GradingPolicy",
    "InterviewQuestion",
    "InterviewStep",
    "Interviews",
    "PersonStats",
    "Practice",
    "PracticeError",
    "PreparedQuestion",
    "QuizItem",
    "QuizResult",
    "extract_facts",
    "grade",
    "letter",
    "load_interviews",
]
