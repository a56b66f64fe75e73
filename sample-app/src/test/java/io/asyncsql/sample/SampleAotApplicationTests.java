package io.asyncsql.sample;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The executable jar, started as a user would ({@code java -jar}) with the context that
 * {@code spring-boot:process-aot} generated ({@code -Dspring.aot.enabled=true}), answers
 * the users API: records mapped by {@code AsyncJdbcClient.query(Class)}, a transaction
 * across async steps, a streamed list and the engine's health. Also checks that the
 * native-image hints generated next to it carry async-sql's and the sample's.
 * <p>
 * Run by Failsafe after the jar is packaged; {@code sample.jar} and
 * {@code sample.aot-resources} name what the build produced. The application's output
 * goes to {@code target/sample-aot-application.log}.
 */
class SampleAotApplicationTests {

	private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

	private static Process application;

	private static Path log;

	private static WebTestClient client;

	@BeforeAll
	static void startTheJarWithAot() throws IOException {
		Path jar = Path.of(System.getProperty("sample.jar", "target/async-sql-sample-app-0.1.0-SNAPSHOT.jar"));
		assertThat(jar).as("the executable jar; run 'verify', which packages it first").isRegularFile();
		int port = freePort();
		log = Path.of("target", "sample-aot-application.log");
		String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
		application = new ProcessBuilder(java, "-Dspring.aot.enabled=true", "-jar", jar.toString(),
				"--server.port=" + port)
			.redirectErrorStream(true)
			.redirectOutput(log.toFile())
			.start();
		client = WebTestClient.bindToServer()
			.baseUrl("http://127.0.0.1:" + port)
			.responseTimeout(Duration.ofSeconds(30))
			.build();
		await().atMost(START_TIMEOUT).pollInterval(Duration.ofMillis(200)).until(() -> {
			if (!application.isAlive()) {
				// Fail at once, with the reason, rather than wait for the timeout.
				throw new IllegalStateException(
						"The application exited with " + application.exitValue() + "; its log:\n" + output());
			}
			return output().contains("Started SampleApplication");
		});
	}

	@AfterAll
	static void stopTheApplication() throws Exception {
		if (application != null) {
			application.destroy();
			if (!application.waitFor(30, TimeUnit.SECONDS)) {
				application.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
			}
		}
	}

	@Test
	void applicationStartsFromTheAotGeneratedContext() throws IOException {
		assertThat(output()).contains("Starting AOT-processed SampleApplication")
			.contains("Username: Dan Rydell")
			.contains("Username: Dana Whitaker");
	}

	@Test
	void recordsAreMappedByAsyncJdbcClient() {
		client.get()
			.uri("/users/3")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.id")
			.isEqualTo(3)
			.jsonPath("$.name")
			.isEqualTo("Dan Rydell");
	}

	@Test
	void createThenRenameInATransactionAndReadTheAuditRecords() {
		User created = client.post()
			.uri("/users")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("name", "Isaac Jaffe"))
			.exchange()
			.expectStatus()
			.isCreated()
			.expectBody(User.class)
			.returnResult()
			.getResponseBody();
		assertThat(created).isNotNull();
		client.put()
			.uri("/users/{id}/name", created.id())
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("name", "Isaac Jaffe Sr."))
			.exchange()
			.expectStatus()
			.isOk();
		client.get()
			.uri("/users/{id}/renames", created.id())
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$[0].oldName")
			.isEqualTo("Isaac Jaffe")
			.jsonPath("$[0].newName")
			.isEqualTo("Isaac Jaffe Sr.");
	}

	@Test
	void usersAreStreamedAsNdjson() {
		String body = client.get()
			.uri("/users")
			.accept(MediaType.APPLICATION_NDJSON)
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody(String.class)
			.returnResult()
			.getResponseBody();
		assertThat(body).contains("{\"id\":1,\"name\":\"Jeremy Goodwin\"}");
	}

	@Test
	void engineHealthIsUp() {
		client.get()
			.uri("/actuator/health/asyncSql")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.status")
			.isEqualTo("UP")
			.jsonPath("$.details.threadMode")
			.isEqualTo("PLATFORM");
	}

	@Test
	void generatedNativeImageHintsCarryAsyncSqlsAndTheRowTypes() throws IOException {
		Path resources = Path.of(System.getProperty("sample.aot-resources", "target/spring-aot/main/resources"));
		List<Path> metadata;
		try (Stream<Path> files = Files.walk(resources)) {
			metadata = files.filter((file) -> file.toString().endsWith(".json")).toList();
		}
		StringBuilder hints = new StringBuilder();
		for (Path file : metadata) {
			hints.append(Files.readString(file));
		}
		assertThat(hints).as("hints in %s", metadata)
			.contains("java.lang.Thread$Builder")
			.contains("io.asyncsql.EngineOperation")
			.contains("io.asyncsql.ThreadMode")
			.contains("io.asyncsql.sample.User")
			.contains("io.asyncsql.sample.NameChange");
	}

	private static String output() throws IOException {
		return Files.readString(log, StandardCharsets.UTF_8);
	}

	private static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
	}

}
