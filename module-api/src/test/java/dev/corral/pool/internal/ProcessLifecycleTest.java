package dev.corral.pool.internal;

import dev.corral.pool.internal.ProcessLifecycle.Life;
import dev.corral.pool.internal.ProcessLifecycle.Routing;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every move of a process's two state dimensions: the legal ones happen, the others throw naming
 * the process; and docs/ARCHITECTURE.md lists and draws exactly the moves of the tables.
 */
class ProcessLifecycleTest {
    /** The moves the engine makes, as docs/ARCHITECTURE.md lists and draws them. */
    private static final Set<String> LEGAL = Set.of(
            "Life: STARTING -> RUNNING", "Life: STARTING -> STOPPING", "Life: STARTING -> DEAD",
            "Life: RUNNING -> STOPPING", "Life: RUNNING -> DEAD", "Life: STOPPING -> DEAD",
            "Routing: NONE -> ENABLED", "Routing: ENABLED -> RETIRING", "Routing: ENABLED -> DRAINING",
            "Routing: ENABLED -> DOWN", "Routing: RETIRING -> DRAINING", "Routing: RETIRING -> DOWN");

    static Stream<Arguments> lifeMoves() {
        List<Arguments> moves = new ArrayList<>();
        for (Life from : Life.values()) {
            for (Life to : Life.values()) {
                moves.add(Arguments.of(from, to));
            }
        }
        return moves.stream();
    }

    static Stream<Arguments> routingMoves() {
        List<Arguments> moves = new ArrayList<>();
        for (Routing from : Routing.values()) {
            for (Routing to : Routing.values()) {
                moves.add(Arguments.of(from, to));
            }
        }
        return moves.stream();
    }

    private static AppProcess process(EngineHarness engine) {
        Group group = engine.add(engine.settings("lifecycle"));
        return new AppProcess(group, 7, 0, null, 1234, 0, 0, 0, "route");
    }

    /** A process in {@code life}, reached by legal moves. */
    private static AppProcess in(EngineHarness engine, Life life) {
        AppProcess process = process(engine);
        switch (life) {
            case STARTING -> { }
            case RUNNING -> process.moveTo(Life.RUNNING);
            case STOPPING -> process.moveTo(Life.STOPPING);
            case DEAD -> process.moveTo(Life.DEAD);
        }
        return process;
    }

    /** A running process routed {@code routing}, reached by legal moves. */
    private static AppProcess routed(EngineHarness engine, Routing routing) {
        AppProcess process = in(engine, Life.RUNNING);
        switch (routing) {
            case NONE -> { }
            case ENABLED -> process.routeTo(Routing.ENABLED);
            case RETIRING, DRAINING, DOWN -> {
                process.routeTo(Routing.ENABLED);
                process.routeTo(routing);
            }
        }
        return process;
    }

    @ParameterizedTest(name = "Life {0} -> {1}")
    @MethodSource("lifeMoves")
    void aLifeMoveHappensOnlyIfTheTableHasIt(Life from, Life to) {
        try (EngineHarness engine = new EngineHarness(0)) {
            AppProcess process = in(engine, from);
            if (LEGAL.contains("Life: " + from + " -> " + to)) {
                process.moveTo(to);
                assertEquals(to, process.life());
            } else {
                IllegalStateException e = assertThrows(IllegalStateException.class, () -> process.moveTo(to));
                assertEquals("illegal state transition of process #7 of app lifecycle: Life " + from + " -> " + to,
                        e.getMessage());
                assertEquals(from, process.life(), "an illegal move changes nothing");
            }
        }
    }

    @ParameterizedTest(name = "Routing {0} -> {1}")
    @MethodSource("routingMoves")
    void aRoutingMoveHappensOnlyIfTheTableHasIt(Routing from, Routing to) {
        try (EngineHarness engine = new EngineHarness(0)) {
            AppProcess process = routed(engine, from);
            if (LEGAL.contains("Routing: " + from + " -> " + to)) {
                process.routeTo(to);
                assertEquals(to, process.routing());
            } else {
                IllegalStateException e = assertThrows(IllegalStateException.class, () -> process.routeTo(to));
                assertEquals("illegal state transition of process #7 of app lifecycle: Routing " + from + " -> " + to,
                        e.getMessage());
            }
        }
    }

    @Test
    void aProcessThatIsNotRunningCannotBeRouted() {
        try (EngineHarness engine = new EngineHarness(0)) {
            AppProcess starting = in(engine, Life.STARTING);
            assertThrows(IllegalStateException.class, () -> starting.routeTo(Routing.ENABLED));
        }
    }

    @Test
    void theTableIsTheOneTheArchitectureDocumentShows() throws IOException {
        assertEquals(LEGAL, Set.copyOf(ProcessLifecycle.moves()));
        List<String> documented = architecture().stream().map(String::trim)
                .filter(line -> line.matches("(Life|Routing): [A-Z]+ -> [A-Z]+")).toList();
        assertEquals(ProcessLifecycle.moves(), documented,
                "docs/ARCHITECTURE.md lists the moves of ProcessLifecycle, in its order");
        assertTrue(documented.size() == LEGAL.size());
    }

    @Test
    void theDiagramOfTheArchitectureDocumentDrawsExactlyTheTable() throws IOException {
        List<String> drawn = drawnMoves(diagram(architecture()));
        Set<String> table = Set.copyOf(ProcessLifecycle.moves());
        Set<String> notDrawn = new TreeSet<>(table);
        notDrawn.removeAll(drawn);
        Set<String> notInTable = new TreeSet<>(drawn);
        notInTable.removeAll(table);
        assertEquals(Set.of(), notDrawn, "moves of ProcessLifecycle that the diagram in docs/ARCHITECTURE.md does not draw");
        assertEquals(Set.of(), notInTable, "edges the diagram in docs/ARCHITECTURE.md draws that ProcessLifecycle lacks");
    }

    @Test
    void theDiagramReaderFollowsABranchUpToTheStateItLeaves() {
        List<String> diagram = List.of(
                "Life:     STARTING ──a──► RUNNING ──b, c──► DEAD",
                "             │  │            │",
                "             │  │            └──d (e)──► DEAD",
                "             │  └──f──► STOPPING",
                "             └──g──► DEAD",
                "",
                "Routing:  NONE ──h──► ENABLED",
                "                        └──i──► DOWN");
        assertEquals(List.of("Life: STARTING -> RUNNING", "Life: RUNNING -> DEAD", "Life: RUNNING -> DEAD",
                "Life: STARTING -> STOPPING", "Life: STARTING -> DEAD", "Routing: NONE -> ENABLED",
                "Routing: ENABLED -> DOWN"), drawnMoves(diagram));
        assertThrows(AssertionError.class, () -> drawnMoves(List.of("Life:     STARTING ──► RUNNING")),
                "an edge without a label");
        assertThrows(AssertionError.class, () -> drawnMoves(List.of("Life:  ──a──► RUNNING")), "an edge from nowhere");
        assertThrows(AssertionError.class, () -> drawnMoves(List.of("Life:     STARTING ──a──► ENABLED")),
                "a state of the other dimension");
    }

    private static List<String> architecture() throws IOException {
        return Files.readAllLines(Path.of("..", "docs", "ARCHITECTURE.md"));
    }

    /** The one fenced block of the document that draws arrows. */
    private static List<String> diagram(List<String> doc) {
        List<List<String>> blocks = new ArrayList<>();
        List<String> block = null;
        for (String line : doc) {
            if (line.startsWith("```")) {
                if (block == null) {
                    block = new ArrayList<>();
                } else {
                    blocks.add(block);
                    block = null;
                }
            } else if (block != null) {
                block.add(line);
            }
        }
        List<List<String>> drawings = blocks.stream()
                .filter(lines -> lines.stream().anyMatch(line -> line.startsWith("Life:") && line.contains(ARROW)))
                .toList();
        assertEquals(1, drawings.size(), "docs/ARCHITECTURE.md has one diagram of the process states");
        return drawings.get(0);
    }

    private static final String ARROW = "──►";

    /**
     * The moves a diagram draws, as {@code Life: FROM -> TO} lines, in the order of their arrows.
     * An edge is {@code FROM ──label──► TO} on one line, or a branch {@code └──label──► TO}
     * whose corner leads up, through {@code │}, to the state it leaves; a label holds no
     * {@code ─}. A line belongs to the dimension of the last line that starts with
     * {@code Life:} or {@code Routing:}. Fails on an arrow it cannot read.
     */
    static List<String> drawnMoves(List<String> diagram) {
        List<String> moves = new ArrayList<>();
        String dimension = null;
        for (int row = 0; row < diagram.size(); row++) {
            String line = diagram.get(row);
            if (line.startsWith("Life:")) {
                dimension = "Life";
            } else if (line.startsWith("Routing:")) {
                dimension = "Routing";
            }
            for (int arrow = line.indexOf(ARROW); arrow >= 0; arrow = line.indexOf(ARROW, arrow + ARROW.length())) {
                String where = "the arrow at column " + arrow + " of line " + (row + 1) + " of the diagram: " + line;
                assertTrue(dimension != null, "no Life: or Routing: line before " + where);
                int target = arrow + ARROW.length();
                while (target < line.length() && line.charAt(target) == ' ') {
                    target++;
                }
                String to = word(line, target);
                int start = arrow - 1;
                while (start >= 0 && line.charAt(start) != '─') {
                    start--;   // the label
                }
                assertTrue(start >= 0 && start < arrow - 1, "no label, or no ── before it, at " + where);
                while (start >= 0 && line.charAt(start) == '─') {
                    start--;   // the ── that opens the edge
                }
                String from;
                if (start >= 0 && line.charAt(start) == '└') {
                    from = stateAbove(diagram, row, start, where);
                } else {
                    assertTrue(start >= 1 && line.charAt(start) == ' ', "no state before the edge at " + where);
                    int first = start;
                    while (first > 0 && Character.isUpperCase(line.charAt(first - 1))) {
                        first--;
                    }
                    from = word(line, first);
                }
                assertTrue(isState(dimension, from) && isState(dimension, to),
                        "not two states of " + dimension + " (" + from + ", " + to + ") at " + where);
                moves.add(dimension + ": " + from + " -> " + to);
            }
        }
        return moves;
    }

    /** The state that the branch whose corner is at {@code column} of {@code row} leaves: up through │. */
    private static String stateAbove(List<String> diagram, int row, int column, String where) {
        for (int up = row - 1; up >= 0; up--) {
            String line = diagram.get(up);
            char c = column < line.length() ? line.charAt(column) : ' ';
            if (c == '│') {
                continue;
            }
            assertTrue(Character.isUpperCase(c), "the branch does not lead up to a state, at " + where);
            int first = column;
            while (first > 0 && Character.isUpperCase(line.charAt(first - 1))) {
                first--;
            }
            return word(line, first);
        }
        throw new AssertionError("the branch does not lead up to a state, at " + where);
    }

    /** The upper-case word that starts at {@code index}, or "". */
    private static String word(String line, int index) {
        int end = index;
        while (end < line.length() && Character.isUpperCase(line.charAt(end))) {
            end++;
        }
        return line.substring(index, end);
    }

    private static boolean isState(String dimension, String name) {
        Class<? extends Enum<?>> states = dimension.equals("Life") ? Life.class : Routing.class;
        return java.util.Arrays.stream(states.getEnumConstants()).anyMatch(state -> state.name().equals(name));
    }
}
