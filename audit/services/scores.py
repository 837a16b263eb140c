"""Store the scores of a visit so reports can aggregate them in SQL."""
from __future__ import annotations

from ..checklist.model import NA
from ..models import Visit, VisitSectionScore
from ..scoring import VisitResult, score_visit


def store_visit_scores(visit: Visit) -> VisitResult:
    """Recompute the visit's item, section and visit scores from its answers."""
    definition = visit.checklist_version.parsed
    result = score_visit(definition, {a.item_id: a.value for a in visit.answers})
    for answer in visit.answers:
        item_result = result.items.get(answer.item_id)
        answer.score = item_result.score if item_result else None
        answer.is_na = answer.value == NA
    visit.score = result.score
    visit.critical_failed = result.critical_failed
    existing = {s.section_id: s for s in visit.section_scores}
    for section in result.sections:
        if section.section_id in existing:
            existing[section.section_id].score = section.score
        else:
            visit.section_scores.append(VisitSectionScore(section_id=section.section_id, score=section.score))
    return result

