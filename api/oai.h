// kho's OAI-PMH 2.0 data provider (http://www.openarchives.org/OAI/openarchivesprotocol.html),
// served at /oai. It promises:
//  - all six verbs; metadata formats oai_dc (from the record's Dublin Core)
//    and marcxml (the catalogue record kept whole when there is one, else
//    built from Dublin Core by the Library of Congress DC→MARC crosswalk), so
//    every record can be disseminated in both and cannotDisseminateFormat
//    only answers a metadataPrefix kho does not know;
//  - sets school:CODE, kind:KIND and collection:NAME (and their parents);
//  - a record's datestamp is the time of its last change in the store's
//    change log, and lists follow that log in order, so an incremental
//    harvest (from=the last harvest) misses nothing, and a record changed
//    during a harvest moves to the end of the list instead of being lost;
//  - withdrawn records stay as <header status="deleted"> (deletedRecord:
//    persistent);
//  - only records the caller may read exist: any other is answered exactly
//    like an ID that was never used (idDoesNotExist, absent from lists);
//  - resumption tokens never expire: each holds its list's arguments and the
//    position in the change log, which is append-only.
// Protocol errors are answered with HTTP 200 and an <error> element.
#pragma once

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "core/library.h"

namespace kho::api {

// The request's arguments in the order they came, percent-decoded, repeats kept.
using OaiArguments = std::vector<std::pair<std::string, std::string>>;

struct OaiOptions {
  std::string base_url;  // e.g. http://thcs01.edu.vn/oai, echoed in every answer
  // Names this repository in identifiers (oai:NAMESPACE:ID); empty: the
  // host of base_url. It must not change once harvesters know the records.
  std::string repository_identifier;
  std::string repository_name = "kho";
  std::string admin_email;      // empty: kho@ the repository identifier
  std::size_t page_size = 100;  // items per ListIdentifiers / ListRecords answer
};

struct OaiResponse {
  int http_status = 200;  // 500 only when the store fails
  std::string xml;        // the answer; when http_status is 500, a line for the log
};

// Answers one OAI-PMH request.
OaiResponse answer_oai(const OaiArguments& arguments, Library& library, const Access& access,
                       const OaiOptions& options);

// application/x-www-form-urlencoded (a POSTed body or a raw query string).
OaiArguments parse_form(const std::string& body);

}  // namespace kho::api
