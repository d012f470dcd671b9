#include "model/builtin_scripts.hpp"

namespace voqo::model {
namespace {

// The texts as shipped since issue 3 (scripted_brain_test pins their wording).
constexpr const char* kBuiltins = R"JSON(
[
 {
  "name": "custom",
  "category": "general",
  "opening": "Hi {{contact_name}}, this is {{agent_name}} from {{company}}. I'm calling about {{purpose}}. Do you have a quick minute?",
  "discoveryQuestions": [
   "Are you looking into anything like {{purpose}} at the moment?",
   "What matters most to you when it comes to {{purpose}}?"
  ],
  "valueProposition": "We've helped a lot of people with {{purpose}}, and I think we could help you too. Would that be worth a short conversation?",
  "objectionResponses": [
   {
    "objection": "price",
    "response": "I understand cost matters. The first conversation is free and there's no obligation. Would it still be worth a look?"
   },
   {
    "objection": "competitor",
    "response": "That's good to hear. Many people find a second opinion useful anyway. Would you be open to comparing?"
   },
   {
    "objection": "no_time",
    "response": "I'll keep it short, it only takes about fifteen minutes. Would that be okay?"
   },
   {
    "objection": "send_info",
    "response": "Happy to send you the details. A quick call helps us tailor them to you. Could we set one up as well?"
   }
  ],
  "closing": "Could we schedule a short call with our team to go over the details? What day and time work best for you?",
  "voicemail": "Hi {{contact_name}}, this is {{agent_name}} from {{company}}, calling about {{purpose}}. I'll try you again soon. Thank you!",
  "variables": [
   "agent_name",
   "company",
   "contact_name",
   "purpose"
  ]
 },
 {
  "name": "property_sales",
  "category": "real_estate",
  "opening": "Hi {{contact_name}}, this is {{agent_name}} from {{company}}. I'm reaching out to property owners in your area about the current market. Do you have a quick minute?",
  "discoveryQuestions": [
   "Have you thought about selling your property in the next year or so?",
   "Is it your own home, or an investment property?",
   "What would matter most to you in a sale: the price, the timing, or convenience?"
  ],
  "valueProposition": "Homes like yours have been getting strong offers lately, and we can give you a free, no-obligation valuation based on recent sales nearby. Would it be useful to know what your property is worth today?",
  "objectionResponses": [
   {
    "objection": "price",
    "response": "I understand. The valuation is completely free, and our commission is only paid when your property sells. Would a free valuation still be helpful?"
   },
   {
    "objection": "competitor",
    "response": "That's great that you already have someone. A lot of owners like a second opinion on price before deciding anything. Would a quick comparison be worth it?"
   },
   {
    "objection": "no_time",
    "response": "I'll be brief. The valuation visit takes about twenty minutes, and we work around your schedule. Would that be okay?"
   },
   {
    "objection": "send_info",
    "response": "Happy to send you some information. It's much more useful with a short visit so we can price your property properly. Could we set that up as well?"
   }
  ],
  "closing": "Could we set up a short meeting for your free valuation? What day and time work best for you?",
  "voicemail": "Hi {{contact_name}}, this is {{agent_name}} from {{company}}. I'm calling about a free valuation of your property. I'll try you again soon. Thank you!",
  "variables": [
   "agent_name",
   "company",
   "contact_name"
  ]
 },
 {
  "name": "property_manager",
  "category": "property_management",
  "opening": "Hi {{contact_name}}, this is {{agent_name}} from {{company}}. We help landlords and property managers save time on rent collection, maintenance and tenant screening. Do you have a quick minute?",
  "discoveryQuestions": [
   "How many properties or units do you manage at the moment?",
   "How are you handling rent collection and maintenance requests today?",
   "What takes up most of your time with your rentals?"
  ],
  "valueProposition": "Our platform automates rent reminders, tracks maintenance requests and screens tenants in one place, and most managers save several hours a week. Would that be useful for you?",
  "objectionResponses": [
   {
    "objection": "price",
    "response": "I hear you. Most managers find it pays for itself through on-time rent and fewer vacancies, and there's a free trial. Would it be worth a look?"
   },
   {
    "objection": "competitor",
    "response": "Good to know you have something in place. A lot of our customers switched because everything is in one place. Would you be open to a quick comparison?"
   },
   {
    "objection": "no_time",
    "response": "That's exactly what we help with. The demo only takes fifteen minutes. Would that be okay?"
   },
   {
    "objection": "send_info",
    "response": "Sure, I can send some information. A short demo shows it with your own numbers, though. Could we book one as well?"
   }
  ],
  "closing": "The best way to see it is a short fifteen-minute demo. What day and time would work for you?",
  "voicemail": "Hi {{contact_name}}, this is {{agent_name}} from {{company}}. We help property managers automate rent collection and maintenance. I'll try you again soon. Thank you!",
  "variables": [
   "agent_name",
   "company",
   "contact_name"
  ]
 }
])JSON";

}  // namespace

const nlohmann::json& builtin_script_templates() {
  static const nlohmann::json all = nlohmann::json::parse(kBuiltins);
  return all;
}

const nlohmann::json& builtin_script_template(std::string_view name) {
  static const nlohmann::json none;
  for (const auto& t : builtin_script_templates())
    if (t["name"] == name) return t;
  return none;
}

}  // namespace voqo::model
