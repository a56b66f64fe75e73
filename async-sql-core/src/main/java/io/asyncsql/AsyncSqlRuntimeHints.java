package io.asyncsql;

import java.util.List;

import org.jspecify.annotations.Nullable;

import org.springframework.aot.hint.ExecutableMode;
import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.RuntimeHintsRegistrar;
import org.springframework.aot.hint.TypeReference;

/**
 * The reflection the engine does, declared for Spring AOT and GraalVM native images:
 * {@link VirtualThreads}' calls to Java 21's {@code Thread.ofVirtual()} and its builder,
 * and the fields behind the engine's {@code VarHandle}s. Registered in
 * {@code META-INF/spring/aot.factories}, so it applies to any Spring application, with or
 * without Spring Boot.
 * <p>
 * Row types mapped by name ({@link AsyncJdbcClient}'s {@code query(Class)}) belong to the
 * application, which declares them, for example with
 * {@code @RegisterReflectionForBinding}.
 */
final class AsyncSqlRuntimeHints implements RuntimeHintsRegistrar {

	static final TypeReference THREAD_BUILDER = TypeReference.of("java.lang.Thread$Builder");

	@Override
	public void registerHints(RuntimeHints hints, @Nullable ClassLoader classLoader) {
		hints.reflection()
			.registerType(Thread.class, (type) -> type.withMethod("ofVirtual", List.of(), ExecutableMode.INVOKE))
			.registerType(THREAD_BUILDER,
					(type) -> type
						.withMethod("name", List.of(TypeReference.of(String.class), TypeReference.of(long.class)),
								ExecutableMode.INVOKE)
						.withMethod("factory", List.of(), ExecutableMode.INVOKE))
			.registerType(EngineOperation.class, (type) -> type.withField("state"))
			.registerType(OperationFuture.class, (type) -> type.withField("reported"));
	}

}
