package dev.wakefd.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/** The one copy of the field VarHandle lookup that every wakefd module's static initializer uses. */
public final class VarHandles {
    private VarHandles() {}

    /**
     * {@code lookup.findVarHandle(owner, name, type)}; a missing field is a build defect, so it fails
     * class initialization as the hand-written try/catch blocks did.
     *
     * @param lookup the caller's {@code MethodHandles.lookup()}, which carries its access to the field
     */
    public static VarHandle find(MethodHandles.Lookup lookup, Class<?> owner, String name, Class<?> type) {
        try {
            return lookup.findVarHandle(owner, name, type);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
