package dev.corral.tomcat;

import dev.corral.testing.ContainerFixture;
import dev.corral.testing.CorralContractTest;

/** The Corral contract, on embedded Tomcat 11 with the valves on the Host and an empty ROOT context (async mode). */
class TomcatContractTest extends CorralContractTest {
    @Override
    protected ContainerFixture newFixture() {
        return new TomcatFixture();
    }
}
