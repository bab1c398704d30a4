package dev.corral.jetty;

import dev.corral.testing.ContainerFixture;
import dev.corral.testing.CorralContractTest;

/** The Corral contract, on embedded Jetty 12. */
class JettyContractTest extends CorralContractTest {
    @Override
    protected ContainerFixture newFixture() {
        return new JettyFixture();
    }
}
