package dev.corral.config;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The did-you-mean of an unknown setting name: the known name it is most likely a typo of. Case
 * is ignored; a name counts as close when at most a third of its letters (up to three) differ,
 * by an edit distance that counts a swap of two neighbours as one edit, or when one name
 * contains the other ({@code maxQueueSize} for {@code maxQueue}). Stateless and thread-safe.
 */
final class Suggestions {
    private Suggestions() {
    }

    /** The closest known name (the first in {@code known} on a tie), if any is close enough. */
    static Optional<String> closest(String unknown, List<String> known) {
        String u = unknown.toLowerCase(Locale.ROOT);
        String best = null;
        int bestScore = Integer.MAX_VALUE;
        for (String candidate : known) {
            String c = candidate.toLowerCase(Locale.ROOT);
            int distance = distance(u, c);
            int limit = Math.max(1, Math.min(3, Math.max(u.length(), c.length()) / 3));
            boolean contained = Math.min(u.length(), c.length()) >= 4 && (u.contains(c) || c.contains(u));
            int score = distance <= limit ? distance : contained ? Math.abs(u.length() - c.length()) + limit : -1;
            if (score >= 0 && score < bestScore) {
                best = candidate;
                bestScore = score;
            }
        }
        return Optional.ofNullable(best);
    }

    /** The optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps. */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
