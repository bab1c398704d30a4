package dev.corral.jetty;

import dev.corral.testing.ContainerFixture;
import dev.corral.testing.CorralChaosTest;

/** The chaos suite, on embedded Jetty 12. */
class JettyChaosTest extends CorralChaosTest {
    @Override
    protected ContainerFixture newFixture() {
        return new JettyFixture();
    }
}
