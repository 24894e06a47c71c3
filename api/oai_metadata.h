// The metadata side of the OAI-PMH provider (api/oai.h): XML escaping, a
// record's oai_dc and MARCXML, and set names. Internal to api/.
#pragma once

#include <string>
#include <string_view>

#include "store/store.h"

namespace kho::api::oai {

inline constexpr const char* kMarcNamespace = "http://www.loc.gov/MARC21/slim";

// Text for XML 1.0 element content or a double-quoted attribute: & < > "
// escaped, invalid UTF-8 replaced, characters XML 1.0 forbids dropped (a
// control character in a PDF's title must not make the whole answer unreadable).
std::string xml_escape(std::string_view raw);

// <oai_dc:dc> from the record's Dublin Core; `file_url` (may be empty) is
// added as a dc:identifier so a harvester can fetch the original.
std::string render_oai_dc(const store::Record& record, const std::string& file_url);

// <record xmlns="http://www.loc.gov/MARC21/slim">: the catalogue record kept
// whole (fields["marcxml"]) when it is well-formed MARCXML, otherwise built
// from Dublin Core by the Library of Congress DC→MARC crosswalk.
std::string render_marcxml(const store::Record& record, const std::string& file_url);

// One component of a setSpec (OAI-PMH allows A-Z a-z 0-9 - _ . ! ~ * ' ( )):
// Vietnamese letters lose their diacritics (Tủ sách → Tu-sach), other
// characters become '-', so names that differ only there share a set.
std::string set_spec_part(std::string_view name);

// What a harvester's user reads for a kind (Vietnamese, as the web UI says it).
std::string kind_label(const std::string& kind);

}  // namespace kho::api::oai
