package dev.corral.testing.contract;

import dev.corral.testing.ContainerFixture;

/**
 * Says which container a contract class runs on. Each adapter's test tree has one interface
 * extending this with a default {@link #newFixture()}, and runs every contract class on it:
 * {@code @Nested class Queue extends QueueContract implements OnJetty {}}.
 */
public interface FixtureFactory {

    /** A fresh, stopped container of the adapter under test. */
    ContainerFixture newFixture();
}
