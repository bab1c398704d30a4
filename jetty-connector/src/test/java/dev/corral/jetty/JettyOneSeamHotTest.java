package dev.corral.jetty;

import dev.corral.testing.ContainerFixture;
import dev.corral.testing.OneSeamHotTest;

/** The chaos suite's "one seam hot" profile, on embedded Jetty 12. */
class JettyOneSeamHotTest extends OneSeamHotTest {
    @Override
    protected ContainerFixture newFixture() {
        return new JettyFixture();
    }
}
