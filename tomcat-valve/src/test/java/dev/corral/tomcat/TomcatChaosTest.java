package dev.corral.tomcat;

import dev.corral.testing.ContainerFixture;
import dev.corral.testing.CorralChaosTest;

/** The chaos suite, on embedded Tomcat 11. */
class TomcatChaosTest extends CorralChaosTest {
    @Override
    protected ContainerFixture newFixture() {
        return new TomcatFixture();
    }
}
