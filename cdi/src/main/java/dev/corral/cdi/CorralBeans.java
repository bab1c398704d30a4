package dev.corral.cdi;

import dev.corral.client.AppClient;

import jakarta.enterprise.context.Dependent;
import jakarta.enterprise.inject.Produces;
import jakarta.enterprise.inject.spi.InjectionPoint;

/**
 * The producers of the beans the extension adds (registered by {@link CorralExtension}, so the
 * webapp needs no bean discovery for them).
 */
@Dependent
public class CorralBeans {

    /** An {@link AppClient} of the app that the injection point's {@link CorralApp} names. */
    @Produces
    @CorralApp("")
    public AppClient appClient(InjectionPoint injectionPoint) {
        return AppClient.named(CorralExtension.appName(injectionPoint));
    }

    /** The view of the running apps. */
    @Produces
    public CorralView view() {
        return new CorralView();
    }
}
