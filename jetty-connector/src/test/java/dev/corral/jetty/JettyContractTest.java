package dev.corral.jetty;

import dev.corral.testing.ContainerFixture;
import dev.corral.testing.contract.AppOutputContract;
import dev.corral.testing.contract.FaultContract;
import dev.corral.testing.contract.ManagementContract;
import dev.corral.testing.contract.FixtureFactory;
import dev.corral.testing.contract.ForwardingSafetyContract;
import dev.corral.testing.contract.HealthContract;
import dev.corral.testing.contract.QueueContract;
import dev.corral.testing.contract.RecyclingContract;
import dev.corral.testing.contract.RestartContract;
import dev.corral.testing.contract.RoutingContract;
import dev.corral.testing.contract.StaticFilesContract;
import dev.corral.testing.contract.SpawnFailureContract;
import dev.corral.testing.contract.StatusContract;
import dev.corral.testing.contract.StreamingContract;
import dev.corral.testing.contract.SlowClientContract;
import dev.corral.testing.contract.TracingContract;
import dev.corral.testing.contract.ErrorPagesContract;
import dev.corral.testing.contract.TimeoutsContract;
import dev.corral.testing.contract.UpgradeContract;

import org.junit.jupiter.api.Nested;

/** The Corral contract, on embedded Jetty 12: every contract class, one nested class each. */
class JettyContractTest {

    /** A fresh embedded Jetty for each test. */
    interface OnJetty extends FixtureFactory {
        @Override
        default ContainerFixture newFixture() {
            return new JettyFixture();
        }
    }

    @Nested
    class Routing extends RoutingContract implements OnJetty {
    }

    @Nested
    class StaticFiles extends StaticFilesContract implements OnJetty {
    }

    @Nested
    class Queue extends QueueContract implements OnJetty {
    }

    @Nested
    class Streaming extends StreamingContract implements OnJetty {
    }

    @Nested
    class Recycling extends RecyclingContract implements OnJetty {
    }

    @Nested
    class Health extends HealthContract implements OnJetty {
    }

    @Nested
    class Restart extends RestartContract implements OnJetty {
    }

    @Nested
    class SpawnFailure extends SpawnFailureContract implements OnJetty {
    }

    @Nested
    class Faults extends FaultContract implements OnJetty {
    }

    @Nested
    class Management extends ManagementContract implements OnJetty {
    }

    @Nested
    class Status extends StatusContract implements OnJetty {
    }

    @Nested
    class AppOutput extends AppOutputContract implements OnJetty {
    }

    @Nested
    class ForwardingSafety extends ForwardingSafetyContract implements OnJetty {
    }

    @Nested
    class Tracing extends TracingContract implements OnJetty {
    }

    @Nested
    class SlowClients extends SlowClientContract implements OnJetty {
    }

    @Nested
    class Upgrade extends UpgradeContract implements OnJetty {
    }

    @Nested
    class Timeouts extends TimeoutsContract implements OnJetty {
    }

    @Nested
    class ErrorPages extends ErrorPagesContract implements OnJetty {
    }
}
