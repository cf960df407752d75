package dev.dialtone.plugin;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The plugins shipped in plugins/ do what the example flows rely on. */
class ExamplePluginsTest {
    static PluginRuntime runtime;

    @BeforeAll
    static void start() {
        runtime = new PluginRuntime(new PluginSettings(List.of(), Map.of("check_delivery_area", Map.of("zips", List.of("10001"))),
                PluginLimits.defaults()));
    }

    @AfterAll
    static void stop() {
        runtime.close();
    }

    static PluginTool load(String name) throws PluginException {
        return runtime.load(Path.of("plugins", name + ".js"));
    }

    static ToolCallContext call(CallState state) {
        return new ToolCallContext("CA0123abcd", "+15551230000", "+15550001111", "luigis", Optional.empty(), state, new RecordedActions());
    }

    @Test
    void pizzaOrderIsBuiltInStateAndPlaced() throws Exception {
        var state = new CallState();
        var price = load("menu_price").invoke("{\"item\":\"Large Pepperoni\"}", call(state)).forModel();
        assertThat(price).isEqualTo("{\"item\":\"pepperoni\",\"found\":true,\"prices\":{\"small\":12.5,\"large\":17}}");
        var area = load("check_delivery_area");
        assertThat(area.invoke("{\"street\":\"1 Main St\",\"zip\":\"10001\"}", call(state)).forModel()).contains("\"delivers\":true");
        assertThat(area.invoke("{\"zip\":\"62701\"}", call(state)).forModel()).contains("\"delivers\":false");
        var add = load("add_to_order");
        add.invoke("{\"item\":\"margherita\",\"size\":\"large\",\"quantity\":2}", call(state));
        var second = add.invoke("{\"item\":\"soda\",\"size\":\"can\"}", call(state)).forModel();
        assertThat(second).isEqualTo("{\"added\":true,\"order\":\"2 large margherita, 1 can soda\",\"total\":33}");
        assertThat(add.invoke("{\"item\":\"calzone\",\"size\":\"large\"}", call(state)).forModel())
                .isEqualTo("{\"added\":false,\"reason\":\"calzone comes in: regular\"}");
        assertThat(state.get("order_total")).contains("33.00");
        var placed = load("place_order").invoke("{\"name\":\"Sam\"}", call(state)).forModel();
        assertThat(placed).isEqualTo("{\"placed\":true,\"order_number\":\"LABCD\",\"ready_in_minutes\":45}");
    }

    @Test
    void clinicSlotsAndBookings() throws Exception {
        var state = new CallState();
        var slots = load("find_slots");
        assertThat(slots.invoke("{\"date\":\"2026-11-28\"}", call(state)).forModel()).contains("closed at weekends");
        assertThat(slots.invoke("{\"date\":\"2026-11-30\",\"part_of_day\":\"afternoon\"}", call(state)).forModel())
                .isEqualTo("{\"date\":\"2026-11-30\",\"slots\":[\"13:30\",\"14:00\",\"14:30\",\"15:00\",\"15:30\",\"16:00\"]}");
        var booked = load("book_appointment").invoke("{\"patient_name\":\"Ana Ruiz\",\"date_of_birth\":\"1980-02-03\","
                + "\"date\":\"2026-11-30\",\"time\":\"13:30\",\"reason\":\"check-up\"}", call(state)).forModel();
        assertThat(booked).isEqualTo("{\"booked\":true,\"reference\":\"MS-20261130-1330\",\"when\":\"2026-11-30 at 13:30\"}");
        assertThat(state.get("patient_name")).contains("Ana Ruiz");
        assertThat(slots.invoke("{\"date\":\"2026-11-30\",\"part_of_day\":\"afternoon\"}", call(state)).forModel())
                .doesNotContain("13:30");
        assertThat(slots.invoke("{\"date\":\"30/11/2026\"}", call(state))).isInstanceOf(ToolOutcome.Failure.class);
    }

    @Test
    void messageIsTaken() throws Exception {
        var state = new CallState();
        var taken = load("take_message").invoke("{\"name\":\"Lee\",\"message\":\"Call me about the invoice\"}", call(state)).forModel();
        assertThat(taken).isEqualTo("{\"taken\":true,\"read_back\":\"Lee, +15551230000: Call me about the invoice\"}");
        assertThat(state.get("message")).contains("{\"name\":\"Lee\",\"callback\":\"+15551230000\",\"message\":\"Call me about the invoice\"}");
    }
}
