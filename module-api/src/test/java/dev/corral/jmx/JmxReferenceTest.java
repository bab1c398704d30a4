package dev.corral.jmx;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Parameter;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The README's JMX reference is the MBean interfaces' own: every ObjectName, attribute (type,
 * writable, description) and operation, rendered from the interfaces and compared with the text
 * between the README's markers, so that docs and code cannot drift. On a mismatch the message
 * holds the text the README should have.
 */
class JmxReferenceTest {
    private static final String START = "<!-- jmx-reference:start (generated from dev.corral.jmx; JmxReferenceTest checks it) -->";
    private static final String END = "<!-- jmx-reference:end -->";

    private record Bean(String objectName, Class<?> type) {
    }

    private static final List<Bean> BEANS = List.of(
            new Bean("dev.corral:type=Engine", EngineMXBean.class),
            new Bean("dev.corral:type=App,name=<app>", AppMXBean.class),
            new Bean("dev.corral:type=Process,app=<app>,pid=<pid>", ProcessMXBean.class),
            new Bean("dev.corral:type=Faults,app=<app>", FaultsMXBean.class));

    @Test
    void theReadmeListsEveryMBeanAttributeAndOperationAsTheCodeDescribesThem() throws IOException {
        String documented = dev.corral.testing.ReadmeText.between(START, END);
        String expected = render();
        assertEquals(expected, documented, "README.md's JMX reference must read:\n\n" + expected + "\n");
    }

    static String render() {
        StringBuilder md = new StringBuilder();
        for (Bean bean : BEANS) {
            md.append("#### `").append(bean.objectName()).append("`\n\n")
                    .append(bean.type().getAnnotation(Description.class).value()).append(".\n\n")
                    .append("| attribute | type | writable | meaning |\n|---|---|---|---|\n");
            List<Method> methods = Arrays.stream(bean.type().getMethods())
                    .sorted(Comparator.comparing(JmxReferenceTest::order)).toList();
            for (Method getter : methods) {
                String attribute = attribute(getter);
                if (attribute == null) {
                    continue;
                }
                boolean writable = methods.stream().anyMatch(m -> m.getName().equals("set" + attribute));
                md.append("| `").append(attribute).append("` | `").append(typeName(getter.getGenericReturnType()))
                        .append("` | ").append(writable ? "yes" : "no").append(" | ")
                        .append(getter.getAnnotation(Description.class).value()).append(" |\n");
            }
            List<Method> operations = methods.stream().filter(m -> attribute(m) == null && !m.getName().startsWith("set"))
                    .toList();
            if (!operations.isEmpty()) {
                md.append("\n| operation | meaning |\n|---|---|\n");
                for (Method operation : operations) {
                    md.append("| `").append(typeName(operation.getGenericReturnType())).append(' ')
                            .append(operation.getName()).append('(')
                            .append(Arrays.stream(operation.getParameters()).map(JmxReferenceTest::parameter)
                                    .collect(Collectors.joining(", ")))
                            .append(")` | ").append(operation.getAnnotation(Description.class).value()).append(" |\n");
                }
            }
            md.append('\n');
        }
        return md.toString().strip();
    }

    /** Interface methods in source order are not available by reflection: attributes first, by name, then operations. */
    private static String order(Method method) {
        return (attribute(method) != null ? "0" : "1") + method.getName().replaceFirst("^(get|is|set)", "");
    }

    private static String attribute(Method method) {
        if (method.getParameterCount() != 0 || method.getReturnType() == void.class) {
            return null;
        }
        if (method.getName().startsWith("get") && method.getName().length() > 3) {
            return method.getName().substring(3);
        }
        if (method.getName().startsWith("is") && method.getReturnType() == boolean.class) {
            return method.getName().substring(2);
        }
        return null;
    }

    private static String parameter(Parameter parameter) {
        Description d = parameter.getAnnotation(Description.class);
        return typeName(parameter.getParameterizedType()) + " " + (d == null ? parameter.getName() : d.name());
    }

    private static String typeName(Type type) {
        if (type instanceof ParameterizedType p) {
            return ((Class<?>) p.getRawType()).getSimpleName() + "<" + Arrays.stream(p.getActualTypeArguments())
                    .map(JmxReferenceTest::typeName).collect(Collectors.joining(", ")) + ">";
        }
        return ((Class<?>) type).getSimpleName();
    }
}
