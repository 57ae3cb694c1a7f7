package dev.pmtud.app.rules;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What one {@link RuleBackend#ensure} found and did.
 *
 * @param added    rules added, by family (false IPv4, true IPv6)
 * @param inPlace  the families whose capture is pmtud's own rule now (those another capture for the
 *                 group covers are not: {@link ExistingCaptures})
 * @param replaced the comments of rules other pmtud runs had left for this group, deleted
 */
record Ensured(Map<Boolean, Integer> added, Set<Boolean> inPlace, List<String> replaced) {
    Ensured {
        added = Map.copyOf(added);
        inPlace = Set.copyOf(inPlace);
        replaced = List.copyOf(replaced);
    }

    int addedTotal() {
        return added.values().stream().mapToInt(Integer::intValue).sum();
    }

    /** The rules added for families that were in place before ({@code before}): someone had deleted them. */
    int restored(Set<Boolean> before) {
        int n = 0;
        for (Map.Entry<Boolean, Integer> e : added.entrySet()) {
            if (before.contains(e.getKey())) {
                n += e.getValue();
            }
        }
        return n;
    }
}
