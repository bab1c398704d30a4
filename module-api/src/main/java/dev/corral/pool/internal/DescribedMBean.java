package dev.corral.pool.internal;

import dev.corral.jmx.Description;

import java.lang.reflect.Method;
import java.lang.reflect.Parameter;
import java.util.Arrays;

import javax.management.MBeanAttributeInfo;
import javax.management.MBeanInfo;
import javax.management.MBeanOperationInfo;
import javax.management.MBeanParameterInfo;
import javax.management.StandardMBean;

/**
 * An MXBean whose descriptions come from the {@link Description} annotations on its interface,
 * so that jconsole, VisualVM and Jolokia show what each attribute, operation and parameter means
 * (a plain MXBean says "Attribute exposed for management"). Thread-safe as its implementation is.
 */
final class DescribedMBean<T> extends StandardMBean {
    private final Class<T> type;

    DescribedMBean(T implementation, Class<T> type) {
        super(implementation, type, true);
        this.type = type;
    }

    @Override
    protected String getDescription(MBeanInfo info) {
        Description d = type.getAnnotation(Description.class);
        return d == null ? super.getDescription(info) : d.value();
    }

    @Override
    protected String getDescription(MBeanAttributeInfo info) {
        for (String prefix : new String[] {"get", "is"}) {
            Method getter = method(prefix + info.getName(), 0);
            if (getter != null && getter.getAnnotation(Description.class) != null) {
                return getter.getAnnotation(Description.class).value();
            }
        }
        return super.getDescription(info);
    }

    @Override
    protected String getDescription(MBeanOperationInfo info) {
        Method operation = method(info.getName(), info.getSignature().length);
        Description d = operation == null ? null : operation.getAnnotation(Description.class);
        return d == null ? super.getDescription(info) : d.value();
    }

    @Override
    protected String getDescription(MBeanOperationInfo op, MBeanParameterInfo param, int sequence) {
        Description d = parameter(op, sequence);
        return d == null ? super.getDescription(op, param, sequence) : d.value();
    }

    @Override
    protected String getParameterName(MBeanOperationInfo op, MBeanParameterInfo param, int sequence) {
        Description d = parameter(op, sequence);
        return d == null || d.name().isEmpty() ? super.getParameterName(op, param, sequence) : d.name();
    }

    private Description parameter(MBeanOperationInfo op, int sequence) {
        Method operation = method(op.getName(), op.getSignature().length);
        if (operation == null) {
            return null;
        }
        Parameter parameter = operation.getParameters()[sequence];
        return parameter.getAnnotation(Description.class);
    }

    private Method method(String name, int parameters) {
        return Arrays.stream(type.getMethods())
                .filter(m -> m.getName().equals(name) && m.getParameterCount() == parameters)
                .findFirst().orElse(null);
    }
}
