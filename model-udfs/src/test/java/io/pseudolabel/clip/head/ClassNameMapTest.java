package io.pseudolabel.clip.head;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClassNameMapTest {

    @Test
    void mapsCaseInsensitivelyKeepsUnknownNamesAndDropsDash() {
        ClassNameMap m = ClassNameMap.parse("""
                # Open Images -> VOC
                Motorcycle,motorbike
                /m/04_sv , motorbike
                "Table, dining",diningtable
                Person,-

                """, "map.csv");
        assertEquals(4, m.size());
        assertEquals("motorbike", m.apply("motorcycle"));
        assertEquals("motorbike", m.apply(" MOTORCYCLE "));
        assertEquals("motorbike", m.apply("/m/04_sv"));
        assertEquals("diningtable", m.apply("table, dining"));
        assertEquals("cat", m.apply("cat"));
        assertNull(m.apply("person"));
        assertEquals("x", ClassNameMap.identity().apply(" x "));
    }

    @Test
    void errorsNameTheFileAndLine() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ClassNameMap.parse("a,b\nc\n", "/data/map.csv"));
        assertTrue(e.getMessage().contains("/data/map.csv line 2") && e.getMessage().contains("from,to"),
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ClassNameMap.parse("a,b\nA,c\n", "m.csv"));
        assertTrue(e.getMessage().contains("m.csv line 2") && e.getMessage().contains("line 1"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ClassNameMap.parse("\"a,b\n", "m.csv"));
        assertTrue(e.getMessage().contains("m.csv line 1: unclosed quote"), e.getMessage());
        assertEquals(List.of("a", "b \"c\"", ""), ClassNameMap.splitCsv("a,\"b \"\"c\"\"\",", "f", 1));
    }
}
