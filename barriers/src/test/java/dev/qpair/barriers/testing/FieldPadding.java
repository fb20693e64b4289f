package dev.qpair.barriers.testing;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks that a class keeps its instance fields between line pairs of padding declared in its
 * superclass chain (the Agrona/JCTools idiom: HotSpot lays a superclass's fields out before its
 * subclass's). A padding class declares only fields named a letter and digits ({@code p00},
 * {@code q15}, {@code f0}); the bytes of the padding classes before the first class with other
 * fields, and after the last one, must each reach {@code bytes}. Shared by the modules' tests
 * through this module's test jar.
 */
public final class FieldPadding {

    private FieldPadding() {
    }

    /**
     * @throws AssertionError naming the class, the padding found before and after its fields, and
     *         the bytes required
     */
    public static void assertPadded(Class<?> type, int bytes) {
        List<Class<?>> chain = new ArrayList<>();
        for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
            chain.addFirst(c);
        }
        int first = -1;
        int last = -1;
        for (int i = 0; i < chain.size(); i++) {
            if (!isPadding(chain.get(i))) {
                first = first < 0 ? i : first;
                last = i;
            }
        }
        if (first < 0) {
            throw new AssertionError(type.getName() + " has no fields to pad");
        }
        int before = paddingBytes(chain.subList(0, first));
        int after = paddingBytes(chain.subList(last + 1, chain.size()));
        if (before < bytes || after < bytes) {
            throw new AssertionError(type.getName() + " has " + before + " bytes of padding before its fields and " + after
                    + " after them: each must be at least " + bytes);
        }
    }

    private static boolean isPadding(Class<?> c) {
        for (Field f : instanceFields(c)) {
            if (!f.getName().matches("[a-z][0-9]+")) {
                return false;
            }
        }
        return true;
    }

    private static int paddingBytes(List<Class<?>> classes) {
        int total = 0;
        for (Class<?> c : classes) {
            for (Field f : instanceFields(c)) {
                Class<?> t = f.getType();
                total += t == long.class || t == double.class ? 8 : t == int.class || t == float.class ? 4
                        : t == short.class || t == char.class ? 2 : t == byte.class || t == boolean.class ? 1 : 4;
            }
        }
        return total;
    }

    private static List<Field> instanceFields(Class<?> c) {
        List<Field> fields = new ArrayList<>();
        for (Field f : c.getDeclaredFields()) {
            if (!Modifier.isStatic(f.getModifiers())) {
                fields.add(f);
            }
        }
        return fields;
    }
}
