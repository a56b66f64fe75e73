package io.asyncsql;

import java.lang.reflect.Method;
import java.util.concurrent.ThreadFactory;

import org.jspecify.annotations.Nullable;

/**
 * The one reflective seam to Java 21's virtual threads, so the code still compiles for
 * Java 17. Reflection runs once per engine, never per task.
 */
final class VirtualThreads {

	private static final @Nullable Method OF_VIRTUAL = findOfVirtual();

	private VirtualThreads() {
	}

	static boolean isAvailable() {
		return OF_VIRTUAL != null;
	}

	/**
	 * Return a factory of virtual threads named {@code prefix} followed by a counter.
	 * @param prefix the thread name prefix
	 * @return the thread factory
	 */
	static ThreadFactory factory(String prefix) {
		if (OF_VIRTUAL == null) {
			throw new IllegalStateException(
					"Virtual threads need Java 21 or later, but this JVM is Java " + Runtime.version().feature());
		}
		try {
			Class<?> builderType = Class.forName("java.lang.Thread$Builder");
			Object builder = OF_VIRTUAL.invoke(null);
			builder = builderType.getMethod("name", String.class, long.class).invoke(builder, prefix, 1L);
			return (ThreadFactory) builderType.getMethod("factory").invoke(builder);
		}
		catch (ReflectiveOperationException ex) {
			throw new IllegalStateException("Could not create virtual threads on this JVM", ex);
		}
	}

	private static @Nullable Method findOfVirtual() {
		try {
			return Thread.class.getMethod("ofVirtual");
		}
		catch (NoSuchMethodException ex) {
			return null;
		}
	}

}
