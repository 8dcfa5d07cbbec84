package dev.regolith.engine.api;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;

/**
 * The actions of one logical change to a region's manifest, applied in order and committed
 * together as one manifest version.
 *
 * @param actions the actions, never empty
 */
public record ManifestActionList(List<ManifestAction> actions) {

    public ManifestActionList {
        actions = List.copyOf(requireNonNull(actions, "actions is null"));
        if (actions.isEmpty()) {
            throw new IllegalArgumentException("Invalid action list: it has no actions");
        }
    }

    /** A list of the given actions. */
    public static ManifestActionList of(ManifestAction... actions) {
        return new ManifestActionList(List.of(actions));
    }

    /** This list's actions followed by {@code other}'s. */
    public ManifestActionList concat(ManifestActionList other) {
        List<ManifestAction> all = new ArrayList<>(actions.size() + other.actions.size());
        all.addAll(actions);
        all.addAll(other.actions);
        return new ManifestActionList(all);
    }

    /** The kinds of the actions, in order. */
    public List<ManifestAction.Kind> kinds() {
        return actions.stream().map(ManifestAction::kind).toList();
    }
}
