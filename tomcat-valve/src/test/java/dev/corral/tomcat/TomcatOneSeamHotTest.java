package dev.corral.tomcat;

import dev.corral.testing.ContainerFixture;
import dev.corral.testing.OneSeamHotTest;

/** The chaos suite's "one seam hot" profile, on embedded Tomcat 11. */
class TomcatOneSeamHotTest extends OneSeamHotTest {
    @Override
    protected ContainerFixture newFixture() {
        return new TomcatFixture();
    }
}
