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
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every move of a process's two state dimensions: the legal ones happen, the others throw naming the process. */
class ProcessLifecycleTest {
    /** The moves the engine makes, as docs/ARCHITECTURE.md describes them. */
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
        Path doc = Path.of("..", "docs", "ARCHITECTURE.md");
        List<String> documented = Files.readAllLines(doc).stream().map(String::trim)
                .filter(line -> line.matches("(Life|Routing): [A-Z]+ -> [A-Z]+")).toList();
        assertEquals(ProcessLifecycle.moves(), documented,
                "docs/ARCHITECTURE.md lists the moves of ProcessLifecycle, in its order");
        assertTrue(documented.size() == LEGAL.size());
    }
}
